package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"sort"
	"strings"
)

// plotSVG draws QPS against recall, one line per client count with its
// points labelled by ef_search, as a self-contained SVG document.
func plotSVG(title string, results []result) string {
	const w, h, left, right, top, bottom = 720.0, 480.0, 70.0, 150.0, 40.0, 50.0
	pw, ph := w-left-right, h-top-bottom
	series := map[int][]result{}
	var clients []int
	minR, maxR, maxQ := 1.0, 0.0, 0.0
	for _, r := range results {
		if _, ok := series[r.Clients]; !ok {
			clients = append(clients, r.Clients)
		}
		series[r.Clients] = append(series[r.Clients], r)
		minR, maxR, maxQ = math.Min(minR, r.Recall), math.Max(maxR, r.Recall), math.Max(maxQ, r.QPS)
	}
	sort.Ints(clients)
	// Recall axis: from a tenth below the lowest point to 1.
	lo := math.Max(0, math.Floor((minR-0.01)*20)/20)
	hi := 1.0
	if maxR > hi {
		hi = maxR
	}
	qmax := niceCeil(maxQ)
	x := func(r float64) float64 { return left + (r-lo)/(hi-lo)*pw }
	y := func(q float64) float64 { return top + ph - q/qmax*ph }
	colours := []string{"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b"}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%g" height="%g" viewBox="0 0 %g %g" font-family="sans-serif" font-size="12">`+"\n", w, h, w, h)
	fmt.Fprintf(&b, `<rect width="%g" height="%g" fill="white"/>`+"\n", w, h)
	fmt.Fprintf(&b, `<text x="%g" y="22" font-size="15" text-anchor="middle">%s</text>`+"\n", left+pw/2, xmlEscape(title))
	for i := 0; i <= 5; i++ {
		q := qmax * float64(i) / 5
		fmt.Fprintf(&b, `<line x1="%g" y1="%.1f" x2="%g" y2="%.1f" stroke="#ddd"/>`+"\n", left, y(q), left+pw, y(q))
		fmt.Fprintf(&b, `<text x="%g" y="%.1f" text-anchor="end">%g</text>`+"\n", left-6, y(q)+4, q)
	}
	for i := 0; i <= 5; i++ {
		r := lo + (hi-lo)*float64(i)/5
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%g" x2="%.1f" y2="%g" stroke="#ddd"/>`+"\n", x(r), top, x(r), top+ph)
		fmt.Fprintf(&b, `<text x="%.1f" y="%g" text-anchor="middle">%.3f</text>`+"\n", x(r), top+ph+18, r)
	}
	fmt.Fprintf(&b, `<rect x="%g" y="%g" width="%g" height="%g" fill="none" stroke="black"/>`+"\n", left, top, pw, ph)
	fmt.Fprintf(&b, `<text x="%g" y="%g" text-anchor="middle">recall@k</text>`+"\n", left+pw/2, h-10)
	fmt.Fprintf(&b, `<text x="16" y="%g" text-anchor="middle" transform="rotate(-90 16 %g)">queries per second</text>`+"\n", top+ph/2, top+ph/2)
	for i, c := range clients {
		col := colours[i%len(colours)]
		pts := series[c]
		sort.Slice(pts, func(a, b int) bool { return pts[a].EfSearch < pts[b].EfSearch })
		var path []string
		for _, p := range pts {
			path = append(path, fmt.Sprintf("%.1f,%.1f", x(p.Recall), y(p.QPS)))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"/>`+"\n", strings.Join(path, " "), col)
		for _, p := range pts {
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3.5" fill="%s"><title>ef_search %d, %d client(s): recall %.3f, %.0f QPS</title></circle>`+"\n",
				x(p.Recall), y(p.QPS), col, p.EfSearch, p.Clients, p.Recall, p.QPS)
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="10" fill="%s">%d</text>`+"\n", x(p.Recall)+5, y(p.QPS)-5, col, p.EfSearch)
		}
		ly := top + 20 + float64(i)*20
		fmt.Fprintf(&b, `<line x1="%g" y1="%g" x2="%g" y2="%g" stroke="%s" stroke-width="2"/>`+"\n", left+pw+15, ly, left+pw+40, ly, col)
		fmt.Fprintf(&b, `<text x="%g" y="%g">%d client%s</text>`+"\n", left+pw+46, ly+4, c, plural(c))
	}
	fmt.Fprintf(&b, `<text x="%g" y="%g" font-size="10" fill="#555">labels: ef_search</text>`+"\n", left+pw+15, top+20+float64(len(clients))*20)
	b.WriteString("</svg>\n")
	return b.String()
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// niceCeil rounds v up to 1, 2 or 5 times a power of ten.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}

func xmlEscape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;").Replace(s)
}

// writeOutputs writes the report as JSON to -json and the results' plot
// as SVG to -svg (default: beside the JSON).
func writeOutputs(c config, title string, rep any, results []result) error {
	svgOut := c.svgOut
	if svgOut == "" && c.jsonOut != "" {
		svgOut = strings.TrimSuffix(c.jsonOut, ".json") + ".svg"
	}
	if svgOut != "" {
		if err := os.WriteFile(svgOut, []byte(plotSVG(title, results)), 0o644); err != nil {
			return fmt.Errorf("write svg: %w", err)
		}
	}
	if c.jsonOut != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return fmt.Errorf("encode json: %w", err)
		}
		if err := os.WriteFile(c.jsonOut, b, 0o644); err != nil {
			return fmt.Errorf("write json: %w", err)
		}
	}
	return nil
}
