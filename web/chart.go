package web

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/domainauth/domainauth/store"
)

// Chart geometry, in SVG user units; the SVG scales to the page's width.
const (
	chartW, chartH         = 720, 200
	chartLeft, chartRight  = 72, 8
	chartTop, chartBottom  = 10, 24
	plotW                  = chartW - chartLeft - chartRight
	plotH                  = chartH - chartTop - chartBottom
	maxChartBars           = DefaultMaxDays // the latest days are drawn
	maxChartDots           = 120            // above this, the rate line has no dots
	chartTickCount         = 3
	chartMinVisibleBarPart = 0.5
)

// chart is an SVG chart drawn on the server: the template writes its
// shapes, with no script and no inline style.
type chart struct {
	W, H   int
	X0, X1 float64 // the plot's left and right edges, for the grid lines
	Label  string  // the aria-label
	Note   string  // shown under the chart: the days it leaves out, if any
	Bars   []bar
	Lines  []string // polyline points of the rate chart, one per run of days with messages
	Dots   []dot
	YTicks []tick
	XTicks []tick
}

type bar struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type dot struct {
	X, Y  float64
	Title string
}

type tick struct {
	X, Y   float64
	Label  string
	Anchor string // text-anchor: start, middle or end
}

// F formats a coordinate.
func (chart) F(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// fillDays returns the days a chart draws: every calendar day from the
// first dated day to the last, the missing ones added as zero, or only
// the latest maxChartBars of them; and the number of calendar days from
// the first to the last, which is more than len(out) when the chart was
// cut. The axis stays linear over any span (one slot per calendar day),
// and the work is bounded by len(days) + maxChartBars whatever the span.
// A day that does not parse (a report without a date range) is not on a
// time axis and is left out.
func fillDays(days []store.DayCounts) (out []store.DayCounts, span int) {
	const secondsPerDay = 24 * 60 * 60
	num := func(d store.DayCounts) (int64, bool) {
		t, err := time.Parse(time.DateOnly, d.Day)
		return t.Unix() / secondsPerDay, err == nil // UTC midnight: exact
	}
	var first, last int64
	seen := false
	for _, d := range days {
		n, ok := num(d)
		if !ok {
			continue
		}
		if !seen || n < first {
			first = n
		}
		if !seen || n > last {
			last = n
		}
		seen = true
	}
	if !seen {
		return nil, 0
	}
	span64 := last - first + 1
	start := last - min(span64, maxChartBars) + 1
	out = make([]store.DayCounts, last-start+1)
	for i := range out {
		out[i].Day = time.Unix((start+int64(i))*secondsPerDay, 0).UTC().Format(time.DateOnly)
	}
	for _, d := range days {
		if n, ok := num(d); ok && n >= start {
			// The store gives one row per day; should a day come twice,
			// its counts add up rather than one hiding the other.
			out[n-start].Counts.Add(d.Counts)
		}
	}
	return out, int(span64)
}

// cutNote is the line under a chart that does not draw every day of its
// selection, or "".
func cutNote(drawn, span int) string {
	if drawn >= span {
		return ""
	}
	return fmt.Sprintf("The chart shows the last %s of %s days; the totals and the figures per day cover them all.", thousands(uint64(drawn)), thousands(uint64(span)))
}

func xTicks(days []store.DayCounts) []tick {
	n := len(days)
	slot := float64(plotW) / float64(n)
	idx := []int{0}
	if n > 2 {
		idx = append(idx, n/2)
	}
	if n > 1 {
		idx = append(idx, n-1)
	}
	var ts []tick
	for k, i := range idx {
		// The first and last labels keep inside the chart.
		tk := tick{X: chartLeft + slot*(float64(i)+0.5), Y: chartH - 6, Label: days[i].Day, Anchor: "middle"}
		switch {
		case k == 0 && n > 1:
			tk.X, tk.Anchor = chartLeft, "start"
		case k == len(idx)-1 && n > 1:
			tk.X, tk.Anchor = chartW-chartRight, "end"
		}
		ts = append(ts, tk)
	}
	return ts
}

// messagesChart draws messages per day: DMARC passes below, failures
// stacked above.
func messagesChart(in []store.DayCounts) *chart {
	return stackedChart(in, "messages per day", func(d store.DayCounts, failed uint64) string {
		return fmt.Sprintf("%s: %s messages, %s pass DMARC, %s fail", d.Day, thousands(d.Messages), thousands(d.DMARCPass), thousands(failed))
	})
}

// stackedChart draws a bar per day of in: DMARCPass below, the rest of
// Messages stacked above. label names the chart ("... per day"); title
// writes a day's tooltip, given its failed part.
func stackedChart(in []store.DayCounts, label string, title func(d store.DayCounts, failed uint64) string) *chart {
	days, span := fillDays(in)
	if len(days) == 0 {
		return nil
	}
	var peak uint64
	for _, d := range days {
		peak = max(peak, d.Messages)
	}
	c := &chart{W: chartW, H: chartH, X0: chartLeft, X1: chartW - chartRight, Label: fmt.Sprintf("%s, %s to %s", label, days[0].Day, days[len(days)-1].Day),
		Note: cutNote(len(days), span)}
	if peak == 0 {
		peak = 1
	}
	slot := float64(plotW) / float64(len(days))
	gap := min(slot*0.15, 2)
	base := float64(chartTop + plotH)
	for i, d := range days {
		x := chartLeft + slot*float64(i) + gap/2
		failed := d.Messages - min(d.DMARCPass, d.Messages)
		pass := float64(plotH) * float64(d.DMARCPass) / float64(peak)
		fail := float64(plotH) * float64(failed) / float64(peak)
		tip := title(d, failed)
		if pass >= chartMinVisibleBarPart || d.DMARCPass > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: base - pass, W: slot - gap, H: pass, Class: "pass", Title: tip})
		}
		if fail > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: base - pass - fail, W: slot - gap, H: fail, Class: "fail", Title: tip})
		}
	}
	for i := 0; i < chartTickCount; i++ {
		v := peak * uint64(i) / uint64(chartTickCount-1)
		c.YTicks = append(c.YTicks, tick{X: chartLeft - 6, Y: base - float64(plotH)*float64(i)/float64(chartTickCount-1), Label: thousands(v)})
	}
	c.XTicks = xTicks(days)
	return c
}

// rateChart draws the DMARC pass rate per day (days without messages
// have no point).
func rateChart(in []store.DayCounts) *chart {
	days, span := fillDays(in)
	if len(days) == 0 {
		return nil
	}
	c := &chart{W: chartW, H: chartH, X0: chartLeft, X1: chartW - chartRight, Label: fmt.Sprintf("DMARC pass rate per day, %s to %s", days[0].Day, days[len(days)-1].Day),
		Note: cutNote(len(days), span)}
	slot := float64(plotW) / float64(len(days))
	base := float64(chartTop + plotH)
	// A day without messages has no rate: the line breaks there rather
	// than draw a trend through days nobody reported on.
	var run []string
	flush := func() {
		if len(run) > 1 {
			c.Lines = append(c.Lines, strings.Join(run, " "))
		}
		run = run[:0]
	}
	for i, d := range days {
		if d.Messages == 0 {
			flush()
			continue
		}
		rate := d.Rate(d.DMARCPass)
		x, y := chartLeft+slot*(float64(i)+0.5), base-float64(plotH)*rate
		run = append(run, c.F(x)+","+c.F(y))
		isolated := (i == 0 || days[i-1].Messages == 0) && (i == len(days)-1 || days[i+1].Messages == 0)
		if len(days) <= maxChartDots || isolated {
			c.Dots = append(c.Dots, dot{X: x, Y: y, Title: fmt.Sprintf("%s: %s pass DMARC (%s of %s)", d.Day, percent(rate), thousands(d.DMARCPass), thousands(d.Messages))})
		}
	}
	flush()
	for i, l := range []string{"0%", "50%", "100%"} {
		c.YTicks = append(c.YTicks, tick{X: chartLeft - 6, Y: base - float64(plotH)*float64(i)/2, Label: l})
	}
	c.XTicks = xTicks(days)
	return c
}

// thousands writes n with thin spaces between groups of three digits.
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	if len(s) <= 4 {
		return s
	}
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString("\u202f")
		}
		b.WriteRune(r)
	}
	return b.String()
}

// percent writes a rate as a percentage with one decimal.
func percent(r float64) string { return strconv.FormatFloat(100*r, 'f', 1, 64) + "%" }
