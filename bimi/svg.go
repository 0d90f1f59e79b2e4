package bimi

import (
	"bytes"
	"compress/gzip"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/domainauth/domainauth"
)

// DefaultMaxSVGBytes is the default size limit of an Indicator: 32 KiB,
// the maximum the BIMI group's SVG guidance gives (draft -12 §7.6 step 1
// defers the figure to "the BIMI SVG document" and lets receivers choose).
const DefaultMaxSVGBytes = 32 * 1024

// DefaultMaxSVGFindings bounds the findings one CheckSVG call returns.
const DefaultMaxSVGFindings = 50

// SVGOptions bound and tune CheckSVG. The zero value applies the defaults.
type SVGOptions struct {
	// MaxBytes is the largest logo accepted, counted after gzip
	// decompression for an SVGZ file. A larger logo gets
	// FindingSVGTooLarge and is not parsed. If zero, DefaultMaxSVGBytes.
	// Parsing time and memory are linear in it.
	MaxBytes int
	// MaxFindings bounds the findings returned; the last one is then
	// FindingSVGTooManyFindings. If zero, DefaultMaxSVGFindings.
	MaxFindings int
}

func (o *SVGOptions) maxBytes() int {
	if o == nil || o.MaxBytes <= 0 {
		return DefaultMaxSVGBytes
	}
	return o.MaxBytes
}

func (o *SVGOptions) maxFindings() int {
	if o == nil || o.MaxFindings <= 0 {
		return DefaultMaxSVGFindings
	}
	return o.MaxFindings
}

const (
	nsSVG   = "http://www.w3.org/2000/svg"
	nsXLink = "http://www.w3.org/1999/xlink"
	nsXML   = "http://www.w3.org/XML/1998/namespace"
)

// svgAllowed lists the elements SVG Tiny PS keeps from SVG Tiny 1.2: the
// structure, shape, text, paint-server and descriptive elements
// (draft-svg-tiny-ps-abrotman §2; the BIMI group's RelaxNG schema of the
// profile). Elements with their own finding code (script, animation,
// image) are not here.
var svgAllowed = map[string]bool{
	"svg": true, "g": true, "defs": true, "use": true,
	"title": true, "desc": true, "metadata": true,
	"path": true, "rect": true, "circle": true, "ellipse": true,
	"line": true, "polyline": true, "polygon": true,
	"text": true, "tspan": true, "textArea": true, "tbreak": true,
	"linearGradient": true, "radialGradient": true, "stop": true,
	"solidColor": true,
}

// svgAnimation lists the SVG Tiny 1.2 animation elements (SVG Tiny 1.2
// §16), all excluded by the profile.
var svgAnimation = map[string]bool{
	"animate": true, "animateColor": true, "animateMotion": true,
	"animateTransform": true, "set": true, "discard": true, "mpath": true,
}

// svgScript lists the scripting and event elements (SVG Tiny 1.2 §15),
// excluded by the profile.
var svgScript = map[string]bool{"script": true, "handler": true, "listener": true}

// CheckSVG checks an Indicator against the SVG Tiny Portable/Secure profile
// as BIMI uses it (draft -12 §4.3.2 and §7.6; draft-svg-tiny-ps-abrotman;
// the BIMI group's guidance on logo files): a root <svg> with
// baseProfile="tiny-ps" and version="1.2" and without x= or y=, a <title>,
// no script, animation, raster image or element outside the profile, no
// reference outside the document, a square viewBox, and a size limit. An
// SVGZ (gzip) logo is decompressed first, within the same limit.
//
// The XML is read with encoding/xml in strict mode and no entity map:
// nothing is expanded and nothing is fetched, so an entity declaration
// (the "billion laughs" attack) yields FindingSVGEntity and, at its first
// use, FindingSVGMalformed, never a large allocation. A nil or empty
// result means the logo passed every check. opts may be nil.
func CheckSVG(logo []byte, opts *SVGOptions) []domainauth.Finding {
	c := svgChecker{max: opts.maxFindings()}
	limit := opts.maxBytes()
	if len(logo) > limit {
		c.add(FindingSVGTooLarge, domainauth.SeverityError, "", refSVG, fmt.Sprintf("the logo is %d bytes, over the %d-byte limit", len(logo), limit))
		return c.out
	}
	if len(logo) >= 2 && logo[0] == 0x1f && logo[1] == 0x8b {
		plain, err := gunzip(logo, limit)
		if err != nil {
			code := FindingSVGMalformed
			if errors.Is(err, errTooLarge) {
				code = FindingSVGTooLarge
			}
			c.add(code, domainauth.SeverityError, "", refSVG, "SVGZ: "+err.Error())
			return c.out
		}
		logo = plain
	}
	c.run(logo)
	return c.out
}

var errTooLarge = errors.New("too large")

// gunzip decompresses an SVGZ logo, reading at most limit+1 bytes.
func gunzip(b []byte, limit int) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	out, err := io.ReadAll(io.LimitReader(zr, int64(limit)+1))
	if err != nil {
		return nil, err
	}
	if len(out) > limit {
		return nil, fmt.Errorf("decompressed logo over the %d-byte limit: %w", limit, errTooLarge)
	}
	return out, nil
}

type svgChecker struct {
	out  []domainauth.Finding
	max  int
	full bool
}

func (c *svgChecker) add(code string, sev domainauth.Severity, where, ref, msg string) {
	if c.full {
		return
	}
	if len(c.out) == c.max-1 {
		c.full = true
		c.out = append(c.out, finding(FindingSVGTooManyFindings, domainauth.SeverityInfo, "", "", fmt.Sprintf("more than %d findings; the rest are not reported", c.max-1)))
		return
	}
	c.out = append(c.out, finding(code, sev, where, ref, msg))
}

func (c *svgChecker) run(logo []byte) {
	d := xml.NewDecoder(bytes.NewReader(logo))
	d.Strict = true
	// No d.Entity map: only the five predefined entities are known, so an
	// entity declared in a DOCTYPE is never expanded (its use is a syntax
	// error). No CharsetReader: a non-UTF-8 encoding is refused.
	depth := 0
	rootSeen, titleSeen := false, false
	inTitle := false
	var title strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			c.add(FindingSVGMalformed, domainauth.SeverityError, fmt.Sprintf("offset %d", d.InputOffset()), refSVG, "not well-formed XML: "+err.Error())
			return
		}
		switch t := tok.(type) {
		case xml.Directive:
			c.directive(string(t))
		case xml.ProcInst:
			if t.Target == "xml-stylesheet" {
				c.add(FindingSVGExternalRef, domainauth.SeverityError, "<?xml-stylesheet?>", refSVG, "a style sheet processing instruction refers outside the document")
			}
		case xml.StartElement:
			depth++
			if !rootSeen {
				rootSeen = true
				c.root(t)
			} else {
				c.element(t)
			}
			if depth == 2 && t.Name.Space == nsSVG && t.Name.Local == "title" {
				inTitle = true
			}
			c.attrs(t)
		case xml.EndElement:
			if inTitle && depth == 2 {
				inTitle = false
				if strings.TrimSpace(title.String()) != "" {
					titleSeen = true
				}
			}
			depth--
		case xml.CharData:
			if inTitle && title.Len() < 1024 {
				title.Write(t)
			}
		}
	}
	if !rootSeen {
		c.add(FindingSVGRoot, domainauth.SeverityError, "", refSVG, "no root element")
		return
	}
	if !titleSeen {
		c.add(FindingSVGTitle, domainauth.SeverityError, "<svg>", refSVG, "no non-empty <title> child of the root <svg>; the profile requires one (the brand's name)")
	}
}

// directive handles <!DOCTYPE ...> and other markup declarations.
func (c *svgChecker) directive(s string) {
	if strings.Contains(s, "ENTITY") {
		c.add(FindingSVGEntity, domainauth.SeverityError, "<!DOCTYPE>", refSVG, "the DOCTYPE declares entities; they are not expanded (an entity-expansion attack or an editor's leftovers), and the profile has no place for them")
		return
	}
	if strings.Contains(s, "SYSTEM") || strings.Contains(s, "PUBLIC") {
		c.add(FindingSVGDoctype, domainauth.SeverityWarning, "<!DOCTYPE>", refSVG, "a DOCTYPE naming an external DTD, which is not fetched")
		return
	}
	c.add(FindingSVGDoctype, domainauth.SeverityWarning, "<!DOCTYPE>", refSVG, "a DOCTYPE, which the profile does not use")
}

func (c *svgChecker) root(t xml.StartElement) {
	if t.Name.Space != nsSVG || t.Name.Local != "svg" {
		c.add(FindingSVGRoot, domainauth.SeverityError, "<"+t.Name.Local+">", refSVG, fmt.Sprintf("the root element is <%s> in namespace %q, not <svg> in %q", t.Name.Local, t.Name.Space, nsSVG))
		return
	}
	var profile, version, viewBox, width, height string
	var hasProfile, hasVersion, hasViewBox bool
	for _, a := range t.Attr {
		if a.Name.Space != "" {
			continue
		}
		switch a.Name.Local {
		case "baseProfile":
			profile, hasProfile = a.Value, true
		case "version":
			version, hasVersion = a.Value, true
		case "viewBox":
			viewBox, hasViewBox = a.Value, true
		case "width":
			width = a.Value
		case "height":
			height = a.Value
		case "x", "y":
			c.add(FindingSVGRootXY, domainauth.SeverityError, "<svg "+a.Name.Local+"=>", refSVG, fmt.Sprintf("%s=%q on the root <svg>; the profile does not allow x= or y= there", a.Name.Local, clip(a.Value)))
		}
	}
	switch {
	case !hasProfile:
		c.add(FindingSVGBaseProfile, domainauth.SeverityError, "<svg>", refSVG, `no baseProfile attribute; the root must say baseProfile="tiny-ps"`)
	case profile != "tiny-ps":
		c.add(FindingSVGBaseProfile, domainauth.SeverityError, "<svg baseProfile=>", refSVG, fmt.Sprintf(`baseProfile=%q, not "tiny-ps"`, clip(profile)))
	}
	switch {
	case !hasVersion:
		c.add(FindingSVGVersion, domainauth.SeverityError, "<svg>", refSVG, `no version attribute; the root must say version="1.2"`)
	case version != "1.2":
		c.add(FindingSVGVersion, domainauth.SeverityError, "<svg version=>", refSVG, fmt.Sprintf(`version=%q, not "1.2"`, clip(version)))
	}
	if hasViewBox {
		w, h, ok := parseViewBox(viewBox)
		switch {
		case !ok:
			c.add(FindingSVGNoViewBox, domainauth.SeverityError, "<svg viewBox=>", refSVG, fmt.Sprintf("viewBox=%q is not four numbers with a positive width and height", clip(viewBox)))
		case w != h:
			c.add(FindingSVGNotSquare, domainauth.SeverityError, "<svg viewBox=>", refSVG, fmt.Sprintf("viewBox is %gx%g; BIMI logos must be square", w, h))
		}
		return
	}
	w, errW := strconv.ParseFloat(width, 64)
	h, errH := strconv.ParseFloat(height, 64)
	if errW != nil || errH != nil || w <= 0 || h <= 0 {
		c.add(FindingSVGNoViewBox, domainauth.SeverityWarning, "<svg>", refSVG, "no viewBox (and no plain numeric width and height), so the aspect ratio is unknown")
		return
	}
	if w != h {
		c.add(FindingSVGNotSquare, domainauth.SeverityError, "<svg width= height=>", refSVG, fmt.Sprintf("the logo is %gx%g; BIMI logos must be square", w, h))
	}
}

// parseViewBox reads "min-x min-y width height" (separated by white space
// and/or a comma) and returns the width and height.
func parseViewBox(s string) (w, h float64, ok bool) {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' })
	if len(f) != 4 {
		return 0, 0, false
	}
	var v [4]float64
	for i, p := range f {
		x, err := strconv.ParseFloat(p, 64)
		if err != nil {
			return 0, 0, false
		}
		v[i] = x
	}
	if v[2] <= 0 || v[3] <= 0 {
		return 0, 0, false
	}
	return v[2], v[3], true
}

func (c *svgChecker) element(t xml.StartElement) {
	name := t.Name.Local
	where := "<" + name + ">"
	if t.Name.Space != nsSVG {
		// Foreign elements (an editor's namespace, RDF inside <metadata>)
		// are not rendered; they do not belong in a profile document.
		c.add(FindingSVGElement, domainauth.SeverityWarning, where, refSVG, fmt.Sprintf("element <%s> in namespace %q is outside SVG", name, t.Name.Space))
		return
	}
	switch {
	case svgAllowed[name]:
	case svgScript[name]:
		c.add(FindingSVGScript, domainauth.SeverityError, where, refSVG, fmt.Sprintf("<%s>: the profile forbids scripting", name))
	case svgAnimation[name]:
		c.add(FindingSVGAnimation, domainauth.SeverityError, where, refSVG, fmt.Sprintf("<%s>: the profile forbids animation", name))
	case name == "image":
		c.add(FindingSVGRaster, domainauth.SeverityError, where, refSVG, "<image>: the profile forbids embedded or linked raster images")
	default:
		c.add(FindingSVGElement, domainauth.SeverityError, where, refSVG, fmt.Sprintf("<%s> is not an element of SVG Tiny PS", name))
	}
}

func (c *svgChecker) attrs(t xml.StartElement) {
	for _, a := range t.Attr {
		where := "<" + t.Name.Local + " " + a.Name.Local + "=>"
		switch {
		case a.Name.Space == "" && len(a.Name.Local) > 2 && strings.HasPrefix(a.Name.Local, "on"):
			c.add(FindingSVGScript, domainauth.SeverityError, where, refSVG, fmt.Sprintf("event handler %s=: the profile forbids scripting", a.Name.Local))
		case a.Name.Local == "href" && (a.Name.Space == "" || a.Name.Space == nsXLink || a.Name.Space == "xlink"):
			// A data: URI embeds its content rather than refer to it; what
			// it embeds is judged by the element (an <image> is raster).
			if v := strings.TrimSpace(a.Value); !strings.HasPrefix(v, "#") && !hasPrefixFold(v, "data:") {
				c.add(FindingSVGExternalRef, domainauth.SeverityError, where, refSVG, fmt.Sprintf("href=%q refers outside the document; only fragment references (#id) are allowed", clip(a.Value)))
			}
		case a.Name.Space == nsXML && a.Name.Local == "base":
			c.add(FindingSVGExternalRef, domainauth.SeverityError, where, refSVG, "xml:base sets an external base URI")
		case hasExternalURL(a.Value):
			c.add(FindingSVGExternalRef, domainauth.SeverityError, where, refSVG, fmt.Sprintf("%s=%q has a url() that is not a fragment reference", a.Name.Local, clip(a.Value)))
		}
	}
}

// hasExternalURL reports whether v holds a CSS-style url(...) whose target
// is not a fragment of the document ("url(#grad)" is fine).
func hasExternalURL(v string) bool {
	for {
		i := strings.Index(v, "url(")
		if i < 0 {
			return false
		}
		v = strings.TrimLeft(v[i+4:], " \t'\"")
		if !strings.HasPrefix(v, "#") {
			return true
		}
	}
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 64 {
		return s[:61] + "..."
	}
	return s
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
