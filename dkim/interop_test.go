package dkim

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth/internal/shared"
)

// pythonDKIM is the interpreter Debian's python3-dkim installs its module
// for; "python3" on PATH may be another interpreter (a version manager's
// shim) without it.
const pythonDKIM = "/usr/bin/python3"

// pyDKIMScript signs or verifies with the dkim module (dkimpy). It reads
// a JSON list of jobs from the file named by its argument and writes a
// JSON list of results: the DKIM-Signature field for a signing job, "pass"
// or "fail" for a verifying one. No DNS is used: the key record of each
// verifying job is given, and dnsfunc returns it for the name asked, which
// is reported too.
const pyDKIMScript = `
import json, logging, sys
import dkim

logging.basicConfig(stream=sys.stderr, level=logging.ERROR)
jobs = json.load(open(sys.argv[1], encoding="utf-8"))
out = []
for p in jobs:
    msg = p["message"].encode("utf-8")
    asked = []
    def dnsfunc(name, timeout=5, record=p.get("record", "")):
        asked.append(name.decode("utf-8", "replace"))
        return record.encode("ascii")
    if p["mode"] == "verify":
        ok = dkim.verify(msg, logger=logging.getLogger("dkimpy"), dnsfunc=dnsfunc)
        out.append({"result": "pass" if ok else "fail", "asked": asked})
    else:
        sig = dkim.sign(msg, p["selector"].encode(), p["domain"].encode(), p["key"].encode("ascii"),
                        identity=p["identity"].encode() if p.get("identity") else None,
                        canonicalize=tuple(c.encode() for c in p["canon"].split("/")),
                        signature_algorithm=p["algorithm"].encode(),
                        include_headers=[b"from", b"to", b"subject"])
        out.append({"result": sig.decode("utf-8"), "asked": asked})
json.dump(out, sys.stdout)
`

// pyJob is one job for pyDKIMScript; pyResult its outcome.
type pyJob struct {
	Mode      string `json:"mode"` // "sign" or "verify"
	Message   string `json:"message"`
	Record    string `json:"record,omitempty"`
	Key       string `json:"key,omitempty"`
	Selector  string `json:"selector,omitempty"`
	Domain    string `json:"domain,omitempty"`
	Identity  string `json:"identity,omitempty"`
	Canon     string `json:"canon,omitempty"`
	Algorithm string `json:"algorithm,omitempty"`
}

type pyResult struct {
	Result string   `json:"result"`
	Asked  []string `json:"asked"`
}

// runPyDKIM runs the script once on all jobs (one interpreter start: it
// costs far more than the jobs).
func runPyDKIM(t *testing.T, dir string, jobs []pyJob) []pyResult {
	t.Helper()
	b, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	jobPath := filepath.Join(dir, "jobs.json")
	if err := os.WriteFile(jobPath, b, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// -I: isolated mode, so that the package directory named "dkim" and
	// PYTHON* variables cannot shadow the installed module.
	cmd := exec.CommandContext(ctx, pythonDKIM, "-I", filepath.Join(dir, "pydkim.py"), jobPath)
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3-dkim: %v\n%s", err, stderr.String())
	}
	var res []pyResult
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(jobs) {
		t.Fatalf("python3-dkim output %q: %v, %d results for %d jobs\n%s", out, err, len(res), len(jobs), stderr.String())
	}
	if s := strings.TrimSpace(stderr.String()); s != "" {
		t.Logf("python3-dkim logged:\n%s", s)
	}
	return res
}

// requirePyDKIM skips the test (fails it under CI=true) when python3-dkim
// is not installed, and returns a directory holding the script.
func requirePyDKIM(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	probe := exec.Command(pythonDKIM, "-I", "-c", "import dkim, nacl")
	probe.Dir = dir
	if out, err := probe.CombinedOutput(); err != nil {
		shared.Skip(t, "python3-dkim is not installed for %s (apt-get install python3-dkim): %v: %s", pythonDKIM, err, strings.TrimSpace(string(out)))
	}
	if err := os.WriteFile(filepath.Join(dir, "pydkim.py"), []byte(pyDKIMScript), 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

// pyPrivateKey returns key in the form dkim.sign takes: PKCS#1 PEM for
// RSA, the base64 seed for Ed25519.
func pyPrivateKey(key crypto.Signer) (string, string) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		return string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k)})), "rsa-sha256"
	case ed25519.PrivateKey:
		return base64.StdEncoding.EncodeToString(k.Seed()), "ed25519-sha256"
	}
	panic("unsupported key type")
}

// TestInteropPythonDKIM checks RFC 8616 §5 signatures against another
// implementation: python3-dkim verifies what our Signer writes (U-label
// d= and s=, UTF-8 i= local parts, on a message with UTF-8 header fields),
// and our Verifier verifies what python3-dkim signs. ASCII signatures and
// a tampered message are controls.
func TestInteropPythonDKIM(t *testing.T) {
	dir := requirePyDKIM(t)
	rk, ek := testKeys(t)
	const asciiMsg = "From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: hello\r\n\r\nHi Bob.\r\n"
	tests := []struct {
		name     string
		key      crypto.Signer
		domain   string
		selector string
		identity string
		canon    [2]Canonicalization
		msg      string
		pySigns  bool // python3-dkim signs and we verify; otherwise the reverse
		tamper   bool // alter the Subject after signing: must fail
	}{
		{name: "ours to python: ASCII rsa", key: rk, domain: "example.org", selector: "sel", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationRelaxed}, msg: asciiMsg},
		{name: "ours to python: §5 U-label d=, UTF-8 i= rsa", key: rk, domain: "b\u00fccher.example", selector: "sel", identity: "j\u00fcrgen@b\u00fccher.example", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationRelaxed}, msg: eaiMsg},
		{name: "ours to python: §5 U-label s=, UTF-8 i= ed25519 simple", key: ek, domain: "b\u00fccher.example", selector: "schl\u00fcssel", identity: "\u5c0f\u660e@mail.b\u00fccher.example", canon: [2]Canonicalization{CanonicalizationSimple, CanonicalizationSimple}, msg: eaiMsg},
		{name: "ours to python: tampered UTF-8 subject fails", key: rk, domain: "b\u00fccher.example", selector: "sel", identity: "j\u00fcrgen@b\u00fccher.example", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationRelaxed}, msg: eaiMsg, tamper: true},
		{name: "python to ours: ASCII rsa", key: rk, domain: "example.org", selector: "sel", canon: [2]Canonicalization{CanonicalizationSimple, CanonicalizationSimple}, msg: asciiMsg, pySigns: true},
		{name: "python to ours: §5 U-label d=, UTF-8 i= rsa", key: rk, domain: "b\u00fccher.example", selector: "sel", identity: "j\u00fcrgen@b\u00fccher.example", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationSimple}, msg: eaiMsg, pySigns: true},
		{name: "python to ours: §5 U-label s= and d=, UTF-8 i= ed25519", key: ek, domain: "\u4f8b\u3048.example", selector: "schl\u00fcssel", identity: "\u5c0f\u660e@\u4f8b\u3048.example", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationRelaxed}, msg: eaiMsg, pySigns: true},
		{name: "python to ours: tampered UTF-8 subject fails", key: ek, domain: "b\u00fccher.example", selector: "sel", identity: "j\u00fcrgen@b\u00fccher.example", canon: [2]Canonicalization{CanonicalizationRelaxed, CanonicalizationRelaxed}, msg: eaiMsg, pySigns: true, tamper: true},
	}
	// Python signs first, then verifies what we sign: two interpreter starts.
	var jobs []pyJob
	for _, tt := range tests {
		if tt.pySigns {
			key, alg := pyPrivateKey(tt.key)
			jobs = append(jobs, pyJob{Mode: "sign", Message: tt.msg, Key: key, Selector: tt.selector, Domain: tt.domain,
				Identity: tt.identity, Canon: tt.canon[0].String() + "/" + tt.canon[1].String(), Algorithm: alg})
		}
	}
	pySigned := runPyDKIM(t, dir, jobs)
	jobs = jobs[:0]
	signed := make([]string, len(tests))
	for i, tt := range tests {
		if tt.pySigns {
			signed[i], pySigned = pySigned[0].Result+tt.msg, pySigned[1:]
		} else {
			s := &Signer{Domain: tt.domain, Selector: tt.selector, Key: tt.key, Identity: tt.identity,
				HeaderCanon: tt.canon[0], BodyCanon: tt.canon[1]}
			h, err := s.Sign(strings.NewReader(tt.msg))
			if err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
			signed[i] = h + tt.msg
		}
		if tt.tamper {
			signed[i] = strings.Replace(signed[i], "Gr\u00fc\u00dfe", "Gruesse", 1)
		}
		if !tt.pySigns {
			jobs = append(jobs, pyJob{Mode: "verify", Message: signed[i], Record: pubRecord(t, tt.key)})
		}
	}
	pyVerified := runPyDKIM(t, dir, jobs)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := "pass"
			if tt.tamper {
				want = "fail"
			}
			if !tt.pySigns {
				got := pyVerified[0]
				pyVerified = pyVerified[1:]
				if got.Result != want {
					t.Fatalf("python3-dkim says %q (asked %q), want %q\n%s", got.Result, got.Asked, want, signed[i])
				}
				return
			}
			if !strings.HasPrefix(signed[i], "DKIM-Signature:") || tt.identity != "" && !strings.Contains(signed[i], "i="+tt.identity) {
				t.Fatalf("python3-dkim wrote %q", signed[i])
			}
			// Our side asks for the key in A-labels (RFC 8616 §3).
			name, err := keyName(tt.selector, tt.domain)
			if err != nil {
				t.Fatal(err)
			}
			r := &queryLog{}
			r.add(name, pubRecord(t, tt.key))
			v := &Verifier{Resolver: r}
			res, err := v.Verify(context.Background(), strings.NewReader(signed[i]))
			if err != nil || len(res) != 1 {
				t.Fatalf("Verify: %v, %d results\n%s", err, len(res), signed[i])
			}
			if got := res[0].Status.String(); got != want {
				t.Fatalf("we say %s (%v), want %s\n%s", got, res[0].Err, want, signed[i])
			}
			if tt.identity != "" && res[0].Identity != tt.identity {
				t.Errorf("Identity = %q, want %q", res[0].Identity, tt.identity)
			}
			if len(r.asked) != 1 || r.asked[0] != name {
				t.Errorf("asked %q, want %q", r.asked, name)
			}
		})
	}
}
