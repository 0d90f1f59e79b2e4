package bimi

import (
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/domainauth/domainauth"
	"github.com/google/go-cmp/cmp"
)

// codes returns the distinct finding codes, sorted.
func codes(fs []domainauth.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func readLogo(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestCheckSVGFiles(t *testing.T) {
	tests := []struct {
		file string
		want []string
	}{
		{"valid.svg", nil},
		{"no-title.svg", []string{FindingSVGTitle}},
		{"base-profile-tiny.svg", []string{FindingSVGBaseProfile}},
		{"version-1.1.svg", []string{FindingSVGVersion}},
		{"script.svg", []string{FindingSVGScript}},
		{"external-ref.svg", []string{FindingSVGExternalRef}},
		{"animation.svg", []string{FindingSVGAnimation}},
		{"raster.svg", []string{FindingSVGRaster}},
		{"root-xy.svg", []string{FindingSVGRootXY}},
		{"not-square.svg", []string{FindingSVGNotSquare}},
		{"foreign-object.svg", []string{FindingSVGElement}},
		// The entities are declared, never expanded: their use is a
		// syntax error for a parser without an entity map.
		{"billion-laughs.svg", []string{FindingSVGEntity, FindingSVGMalformed}},
		{"external-entity.svg", []string{FindingSVGEntity, FindingSVGMalformed}},
		{"not-svg-root.svg", []string{FindingSVGElement, FindingSVGRoot, FindingSVGTitle}},
		{"malformed.svg", []string{FindingSVGMalformed}},
		// One byte over DefaultMaxSVGBytes, with the default options.
		{"oversized.svg", []string{FindingSVGTooLarge}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got := CheckSVG(readLogo(t, tt.file), nil)
			if diff := cmp.Diff(tt.want, codes(got)); diff != "" {
				t.Errorf("codes (-want +got):\n%s\nfindings: %v", diff, got)
			}
		})
	}
}

// TestCheckSVGSizeBound: exactly DefaultMaxSVGBytes passes; one more does
// not, and a reduced MaxBytes applies.
func TestCheckSVGSizeBound(t *testing.T) {
	at := atLimitLogo(t)
	if got := CheckSVG(at, nil); len(got) != 0 {
		t.Errorf("logo of exactly %d bytes: %v", len(at), got)
	}
	if got := codes(CheckSVG(at, &SVGOptions{MaxBytes: 1000})); !slices.Equal(got, []string{FindingSVGTooLarge}) {
		t.Errorf("MaxBytes 1000: %v", got)
	}
}

// atLimitLogo is testdata/oversized.svg one byte shorter: a valid logo of
// exactly DefaultMaxSVGBytes.
func atLimitLogo(t testing.TB) []byte {
	at := bytes.Replace(readLogo(t, "oversized.svg"), []byte("xx"), []byte("x"), 1)
	if len(at) != DefaultMaxSVGBytes {
		t.Fatalf("at-limit logo is %d bytes", len(at))
	}
	return at
}

func TestCheckSVGZ(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		w := gzip.NewWriter(&buf)
		w.Write(b)
		w.Close()
		return buf.Bytes()
	}
	if got := CheckSVG(gz(readLogo(t, "valid.svg")), nil); len(got) != 0 {
		t.Errorf("valid SVGZ: %v", got)
	}
	if got := codes(CheckSVG(gz(readLogo(t, "script.svg")), nil)); !slices.Equal(got, []string{FindingSVGScript}) {
		t.Errorf("script SVGZ: %v", got)
	}
	// A gzip bomb: small compressed, over the limit decompressed.
	bomb := gz(bytes.Repeat([]byte(" "), 10*DefaultMaxSVGBytes))
	if got := codes(CheckSVG(bomb, nil)); !slices.Equal(got, []string{FindingSVGTooLarge}) {
		t.Errorf("gzip bomb (%d bytes): %v", len(bomb), got)
	}
	if got := codes(CheckSVG([]byte{0x1f, 0x8b, 1, 2}, nil)); !slices.Equal(got, []string{FindingSVGMalformed}) {
		t.Errorf("broken gzip: %v", got)
	}
}

func TestCheckSVGCases(t *testing.T) {
	const open = `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>T</title>`
	tests := []struct {
		name, svg string
		want      []string
	}{
		{"fragment href allowed", open + `<use href="#a"/></svg>`, nil},
		{"plain href external", open + `<use href="other.svg#a"/></svg>`, []string{FindingSVGExternalRef}},
		{"undeclared xlink prefix", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>T</title><use xlink:href="http://x.example/a"/></svg>`, []string{FindingSVGExternalRef}},
		{"data URI on use", open + `<use href="data:image/svg+xml,abc"/></svg>`, nil},
		{"xml:base", open + `<g xml:base="https://x.example/"/></svg>`, []string{FindingSVGExternalRef}},
		{"stylesheet PI", `<?xml-stylesheet href="https://x.example/s.css"?>` + open + `</svg>`, []string{FindingSVGExternalRef}},
		{"style element", open + `<style>rect{fill:red}</style></svg>`, []string{FindingSVGElement}},
		{"a element", open + `<a href="#x"><rect/></a></svg>`, []string{FindingSVGElement}},
		{"set is animation", open + `<set attributeName="x" to="1"/></svg>`, []string{FindingSVGAnimation}},
		{"handler element", open + `<handler/></svg>`, []string{FindingSVGScript}},
		{"empty title", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title> </title></svg>`, []string{FindingSVGTitle}},
		{"nested title only", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><g><title>T</title></g></svg>`, []string{FindingSVGTitle}},
		{"no svg namespace", `<svg version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>T</title></svg>`, []string{FindingSVGElement, FindingSVGRoot, FindingSVGTitle}},
		{"no baseProfile no version", `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><title>T</title></svg>`, []string{FindingSVGBaseProfile, FindingSVGVersion}},
		{"width height square", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" width="64" height="64"><title>T</title></svg>`, nil},
		{"width height not square", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" width="64" height="32"><title>T</title></svg>`, []string{FindingSVGNotSquare}},
		{"no viewBox", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps"><title>T</title></svg>`, []string{FindingSVGNoViewBox}},
		{"bad viewBox", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10"><title>T</title></svg>`, []string{FindingSVGNoViewBox}},
		{"viewBox commas", `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0,0,10,10"><title>T</title></svg>`, nil},
		{"plain doctype", `<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">` + open + `</svg>`, []string{FindingSVGDoctype}},
		{"editor namespace", `<svg xmlns="http://www.w3.org/2000/svg" xmlns:i="urn:editor" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>T</title><i:view/></svg>`, []string{FindingSVGElement}},
		{"not UTF-8", `<?xml version="1.0" encoding="ISO-8859-1"?>` + open + `</svg>`, []string{FindingSVGMalformed}},
		{"empty", ``, []string{FindingSVGRoot}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckSVG([]byte(tt.svg), nil)
			if diff := cmp.Diff(tt.want, codes(got)); diff != "" {
				t.Errorf("%s\ncodes (-want +got):\n%s\nfindings: %v", tt.svg, diff, got)
			}
		})
	}
}

// TestCheckSVGMaxFindings: a logo with many violations yields at most
// DefaultMaxSVGFindings findings, the last saying so.
func TestCheckSVGMaxFindings(t *testing.T) {
	svg := `<svg xmlns="http://www.w3.org/2000/svg" version="1.2" baseProfile="tiny-ps" viewBox="0 0 10 10"><title>T</title>` +
		strings.Repeat(`<script/>`, DefaultMaxSVGFindings+1) + `</svg>`
	got := CheckSVG([]byte(svg), nil)
	if len(got) != DefaultMaxSVGFindings || got[len(got)-1].Code != FindingSVGTooManyFindings {
		t.Fatalf("%d findings, last %v", len(got), got[len(got)-1])
	}
	svg = strings.Replace(svg, `<script/>`, ``, 2) // DefaultMaxSVGFindings-1 scripts: all reported
	if got := CheckSVG([]byte(svg), nil); len(got) != DefaultMaxSVGFindings-1 || got[len(got)-1].Code != FindingSVGScript {
		t.Fatalf("%d findings, last %v", len(got), got[len(got)-1])
	}
}

// TestCheckSVGBillionLaughsBounded guards against entity expansion: the
// check returns quickly and allocates little.
func TestCheckSVGBillionLaughsBounded(t *testing.T) {
	b := readLogo(t, "billion-laughs.svg")
	start := time.Now()
	allocs := testing.AllocsPerRun(10, func() { CheckSVG(b, nil) })
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("10 runs took %v", d)
	}
	if allocs > 500 {
		t.Errorf("%v allocations per run", allocs)
	}
}
