package main

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestPlotSVG(t *testing.T) {
	res := []result{
		{EfSearch: 10, Clients: 1, Recall: 0.88, QPS: 2800},
		{EfSearch: 40, Clients: 1, Recall: 0.97, QPS: 1600},
		{EfSearch: 10, Clients: 2, Recall: 0.88, QPS: 5400},
		{EfSearch: 40, Clients: 2, Recall: 0.97, QPS: 3200},
	}
	svg := plotSVG("100000 x 128 <m 16>", res)
	// Well-formed XML.
	d := xml.NewDecoder(strings.NewReader(svg))
	for {
		if _, err := d.Token(); err != nil {
			if err.Error() != "EOF" {
				t.Fatalf("not well-formed: %v\n%s", err, svg)
			}
			break
		}
	}
	if n := strings.Count(svg, "<polyline"); n != 2 {
		t.Fatalf("%d series, want 2", n)
	}
	if n := strings.Count(svg, "<circle"); n != 4 {
		t.Fatalf("%d points, want 4", n)
	}
	for _, want := range []string{"1 client<", "2 clients<", "&lt;m 16&gt;", "ef_search 40, 2 client(s): recall 0.970, 3200 QPS"} {
		if !strings.Contains(svg, want) {
			t.Errorf("plot lacks %q", want)
		}
	}
	// The 2-client point at 5400 QPS is above (smaller y than) the 1-client one.
	if !(strings.Index(svg, "5400 QPS") > 0) {
		t.Error("missing point")
	}
}

func TestReadIDXFashionMNIST(t *testing.T) {
	base, err := readIDX(fashionMNISTDir+"/t10k-images-idx3-ubyte.gz", 5)
	if err != nil {
		t.Skipf("dataset-fashion-mnist not installed: %v", err)
	}
	if len(base) != 5 || len(base[0]) != 784 {
		t.Fatalf("read %d vectors of %d dimensions", len(base), len(base[0]))
	}
	nonzero := 0
	for _, v := range base[0] {
		if v < 0 || v > 255 {
			t.Fatalf("pixel %g out of range", v)
		}
		if v > 0 {
			nonzero++
		}
	}
	if nonzero == 0 {
		t.Fatal("blank image")
	}
}
