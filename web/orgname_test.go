package web

import (
	"strings"
	"testing"
)

// TestEmptyOrgNameShown: a report without a reporting organisation's name
// (two of the shared samples have none) shows as "(no name)" in the
// Reporters and Reports tables and on its page, and appears in the
// reporter filter as an option that cannot be selected: the store's
// Filter reads Org "" as "every reporter", so it cannot select them. A
// blank name that is not empty can be selected, under the placeholder.
func TestEmptyOrgNameShown(t *testing.T) {
	reports := fixture()
	reports[1].Metadata.OrgName = ""
	reports[2].Metadata.OrgName = "  "
	st, _ := openStore(t, reports...)
	h, err := NewHandler(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	page := get(h, "/").Body.String()
	orgs := section(t, page, `<table id="orgs">`)
	if n := strings.Count(orgs, `<span class="dim no-name">(no name)</span>`); n != 2 {
		t.Errorf("the Reporters table shows %d placeholders, want 2 (empty and blank): %s", n, orgs)
	}
	// google.com and the blank name are links; the empty name is not.
	if n := strings.Count(orgs, `<a href="/?org=`); n != 2 {
		t.Errorf("the Reporters table has %d filter links, want 2: %s", n, orgs)
	}
	if n := strings.Count(section(t, page, `<table id="reports">`), "(no name)"); n != 2 {
		t.Errorf("the Reports table shows %d placeholders, want 2", n)
	}
	sel := section(t, page, `<select name="org">`)
	if !strings.Contains(sel, `<option disabled>(no name): cannot be selected</option>`) {
		t.Errorf("the reporter filter does not list the empty name as unselectable: %s", sel)
	}
	if !strings.Contains(sel, `<option value="  ">(no name)</option>`) {
		t.Errorf("the reporter filter does not offer the blank name: %s", sel)
	}
	if !strings.Contains(get(h, "/report/2").Body.String(), `<dd id="org-name" class="u"><span class="dim no-name">(no name)</span></dd>`) {
		t.Errorf("the report page does not show the missing name as (no name)")
	}
}

// section returns page from the first occurrence of start to the end of
// that element's tag name ("</table>", "</select>").
func section(t *testing.T, page, start string) string {
	t.Helper()
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatalf("no %s on the page", start)
	}
	tag := strings.Fields(strings.TrimPrefix(start, "<"))[0]
	tag = strings.TrimSuffix(tag, ">")
	j := strings.Index(page[i:], "</"+tag+">")
	if j < 0 {
		t.Fatalf("%s is not closed", start)
	}
	return page[i : i+j]
}
