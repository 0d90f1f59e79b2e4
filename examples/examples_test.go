// Package examples holds small programs to copy from; this test builds
// each one and runs it on the bundled data, so that they keep working.
package examples

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/domainauth/domainauth/internal/shared"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden")

// binDir holds the examples built once for all tests by buildAll.
var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// build returns the binary of ./NAME. All examples are built by one go
// command the first time, which shares the compilation of the module.
func build(t *testing.T, name string) string {
	t.Helper()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skipf("no go command to build the example with: %v", err)
	}
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "domainauth-examples-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command(goTool, "build", "-o", binDir+string(filepath.Separator), "./ses-setup", "./verify-message", "./report-digest", "./audit-domains")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return filepath.Join(binDir, name)
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// run runs bin with args from the repository root and checks its stdout
// against testdata/GOLDEN.golden.
func run(t *testing.T, golden, bin string, args ...string) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = ".."
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstderr:\n%s", filepath.Base(bin), strings.Join(args, " "), err, stderr.String())
	}
	file := filepath.Join("testdata", golden+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, stdout.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got := stdout.String(); got != string(want) {
		t.Errorf("%s: output differs from %s\n--- got\n%s\n--- want\n%s", filepath.Base(bin), file, got, want)
	}
}

// TestShort keeps the promise that each example fits on a screen or two.
func TestShort(t *testing.T) {
	mains, _ := filepath.Glob("*/main.go")
	if len(mains) < 3 {
		t.Fatalf("found %d examples, want at least 3", len(mains))
	}
	for _, m := range mains {
		data, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if n := bytes.Count(data, []byte("\n")); n >= 100 {
			t.Errorf("%s has %d lines; examples stay under 100", m, n)
		}
	}
}

func TestSESSetup(t *testing.T) {
	bin := build(t, "ses-setup")
	run(t, "ses-setup", bin, "-domain", "example.org", "-region", "ap-northeast-2",
		"-tokens", "ee3iyktt6a52swhlzrcnadeiwwa27oo6,hleoy2vma4pcnkbbyeekmttjnef4mcgf,b743qnjojiphl56mvjxi2ietqlhb774b",
		"-mail-from", "mail.example.org", "-dmarc-reports", "mail-master@example.org")
}

func TestVerifyMessage(t *testing.T) {
	bin := build(t, "verify-message")
	// 54.240.0.1 is in amazonses.com's SPF record; the message is signed
	// with the key published for the first Easy DKIM token of example.org.
	run(t, "verify-message", bin, "-zone", "examples/zones/example.org.zone",
		"-ip", "54.240.0.1", "-mail-from", "bounce@mail.example.org", "examples/verify-message/message.eml")
}

func TestAuditDomains(t *testing.T) {
	bin := build(t, "audit-domains")
	run(t, "audit-domains", bin, "-zone", "examples/zones/example.org.zone", "example.org")
}

func TestReportDigest(t *testing.T) {
	dir := shared.Require(t, "conformance", "dmarc-aggregate")
	bin := build(t, "report-digest")
	run(t, "report-digest", bin, dir)
}
