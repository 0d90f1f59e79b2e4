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
	chartDayDuration       = 24 * time.Hour
	chartTickCount         = 3
	chartMinVisibleBarPart = 0.5
)

// chart is an SVG chart drawn on the server: the template writes its
// shapes, with no script and no inline style.
type chart struct {
	W, H   int
	X0, X1 float64 // the plot's left and right edges, for the grid lines
	Label  string  // the aria-label
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

// fillDays returns days with the missing days between the first and the
// last added as zero, the latest maxChartBars of them.
func fillDays(days []store.DayCounts) []store.DayCounts {
	var out []store.DayCounts
	var prev time.Time
	for _, d := range days {
		t, err := time.Parse(time.DateOnly, d.Day)
		if err != nil {
			continue // a report without a date range: not on a time axis
		}
		if !prev.IsZero() {
			for g := prev.Add(chartDayDuration); g.Before(t) && len(out) < 40*maxChartBars; g = g.Add(chartDayDuration) {
				out = append(out, store.DayCounts{Day: g.Format(time.DateOnly)})
			}
		}
		out = append(out, d)
		prev = t
	}
	if len(out) > maxChartBars {
		out = out[len(out)-maxChartBars:]
	}
	return out
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
	days := fillDays(in)
	if len(days) == 0 {
		return nil
	}
	var peak uint64
	for _, d := range days {
		peak = max(peak, d.Messages)
	}
	c := &chart{W: chartW, H: chartH, X0: chartLeft, X1: chartW - chartRight, Label: fmt.Sprintf("messages per day, %s to %s", days[0].Day, days[len(days)-1].Day)}
	if peak == 0 {
		peak = 1
	}
	slot := float64(plotW) / float64(len(days))
	gap := min(slot*0.15, 2)
	base := float64(chartTop + plotH)
	for i, d := range days {
		x := chartLeft + slot*float64(i) + gap/2
		pass := float64(plotH) * float64(d.DMARCPass) / float64(peak)
		fail := float64(plotH) * float64(d.Messages-min(d.DMARCPass, d.Messages)) / float64(peak)
		title := fmt.Sprintf("%s: %s messages, %s pass DMARC, %s fail", d.Day, thousands(d.Messages), thousands(d.DMARCPass), thousands(d.Messages-min(d.DMARCPass, d.Messages)))
		if pass >= chartMinVisibleBarPart || d.DMARCPass > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: base - pass, W: slot - gap, H: pass, Class: "pass", Title: title})
		}
		if fail > 0 {
			c.Bars = append(c.Bars, bar{X: x, Y: base - pass - fail, W: slot - gap, H: fail, Class: "fail", Title: title})
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
	days := fillDays(in)
	if len(days) == 0 {
		return nil
	}
	c := &chart{W: chartW, H: chartH, X0: chartLeft, X1: chartW - chartRight, Label: fmt.Sprintf("DMARC pass rate per day, %s to %s", days[0].Day, days[len(days)-1].Day)}
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
