package web

import (
	"html/template"
	"strings"
	"time"

	"github.com/domainauth/domainauth/report"
)

// pageNames are the page templates; each is parsed with layout.html.
var pageNames = []string{"overview", "source", "report", "login", "error", "tls", "failures", "failure"}

var funcs = template.FuncMap{
	"thousands": thousands,
	"rate": func(c report.Counts) string {
		if c.Messages == 0 {
			return "–"
		}
		return percent(c.Rate(c.DMARCPass))
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format(time.DateOnly)
	},
	"datetime": func(t time.Time) string {
		if t.IsZero() {
			return "–"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"iso":         func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
	"dateonly":    dateOrEmpty,
	"linkIP":      validIP,
	"ip":          ipText,
	"ipOK":        ipOK,
	"pct":         pctText,
	"dkimText":    dkimText,
	"spfText":     spfText,
	"reasons":     reasonsText,
	"validDomain": validDomain,
	"validOrg":    validOrg,
	"noName":      noName,
}

// noName reports whether a reporting organisation's name would show as
// nothing (reports exist without one): the pages write "(no name)".
func noName(s string) bool { return strings.TrimSpace(s) == "" }

func dateOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.DateOnly)
}

func parseTemplates() (map[string]*template.Template, error) {
	base, err := template.New("").Funcs(funcs).ParseFS(templateFS, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	out := make(map[string]*template.Template, len(pageNames))
	for _, n := range pageNames {
		t, err := template.Must(base.Clone()).ParseFS(templateFS, "templates/"+n+".html")
		if err != nil {
			return nil, err
		}
		out[n] = t
	}
	return out, nil
}
