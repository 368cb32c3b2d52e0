// load.go - the load client of bench/listen: a fixed number of keep-alive
// connections, each sending one request after another (or at a set rate),
// every request a batch of distinct points or alerts; it times each request
// and prints requests/s, points/s, p50/p99 latency and the non-2xx counts.
//
// Standard library only (built at bench time by bench/listen/run):
//
//	go build -o load load.go
//
// Modes (-mode):
//
//	influx  POST line protocol (InfluxDB v2 write API), ?precision=ms
//	promrw  POST a Prometheus remote-write WriteRequest: protobuf encoded
//	        here by hand, snappy block format made of literal chunks only
//	alerts  POST an Alertmanager API v2 JSON array of alerts
//
// The points: connection c owns the series host=cC,s=I (I < -points-per-
// request); its request r writes one sample to each of them at time
// base + r ms, so every point of a run is a distinct (series, time), every
// series' times go up, and a request holds P distinct series. promrw sends
// the same points: metric bench_v, labels host and s, a value, a time in ms.
// Alerts: connection c's request carries P alerts, alertname BenchN (N = I
// mod 10), instance cC-I, job bench; a request sends its connection's set
// again (as Prometheus re-sends firing alerts), with a new annotation.
//
// A request counts when its answer ends within the -duration window that
// follows the -warmup (with -requests: the first N due after the warm-up).
// Its latency is from the moment it was due (-rate: its slot in the
// schedule, else when it was sent) to the end of its answer's body, so a
// server that falls behind a set rate shows it (no coordinated omission).
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var (
	url      = flag.String("url", "", "endpoint URL (e.g. http://127.0.0.1:8086/api/v2/write?precision=ms)")
	token    = flag.String("token", "", "send Authorization: Token TOKEN")
	mode     = flag.String("mode", "influx", "influx, promrw or alerts")
	conns    = flag.Int("conns", 8, "concurrent keep-alive connections")
	ppr      = flag.Int("points-per-request", 1000, "points (or alerts) in a request")
	duration = flag.Duration("duration", 10*time.Second, "how long to measure (unless -requests)")
	requests = flag.Int("requests", 0, "measure this many requests in all, then stop (instead of -duration)")
	warmup   = flag.Duration("warmup", 0, "send for this long first: answers within it are not counted")
	gz       = flag.Bool("gzip", false, "gzip the bodies (Content-Encoding: gzip)")
	rate     = flag.Float64("rate", 0, "requests/s for all connections together (0: as fast as answered)")
	check    = flag.Bool("check", false, "send one request, print its status and body, exit 1 unless 2xx")
	jsonOut  = flag.Bool("json", false, "print the result as one JSON object")
	label    = flag.String("label", "", "a name for the result line")
)

// ---- bodies ----

// A body builder per connection; conn and its request counter make the
// points distinct.
type gen struct {
	conn int
	base int64 // ms
	buf  []byte
	aux  []byte // the protobuf before snappy
	zbuf bytes.Buffer
	zw   *gzip.Writer
}

func (g *gen) influx(r int64) []byte {
	b := g.buf[:0]
	ts := g.base + r
	for i := 0; i < *ppr; i++ {
		b = append(b, "bench,host=c"...)
		b = strconv.AppendInt(b, int64(g.conn), 10)
		b = append(b, ",s="...)
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, " v="...)
		b = strconv.AppendFloat(b, value(r, i), 'g', -1, 64)
		b = append(b, ' ')
		b = strconv.AppendInt(b, ts, 10)
		b = append(b, '\n')
	}
	g.buf = b
	return b
}

func value(r int64, i int) float64 { return float64((r*7+int64(i)*13)%1000) / 10 }

// Protocol buffers, the few wire types a WriteRequest needs.
func pbVarint(b []byte, v uint64) []byte { return binary.AppendUvarint(b, v) }
func pbTag(b []byte, field, wt int) []byte {
	return pbVarint(b, uint64(field<<3|wt))
}
func pbBytes(b []byte, field int, s []byte) []byte {
	b = pbTag(b, field, 2)
	b = pbVarint(b, uint64(len(s)))
	return append(b, s...)
}

// label: Label{name = 1, value = 2}
func pbLabel(b []byte, name, value string) []byte {
	var l []byte
	l = pbBytes(l, 1, []byte(name))
	l = pbBytes(l, 2, []byte(value))
	return pbBytes(b, 1, l) // TimeSeries.labels = 1
}

// promrw: WriteRequest{timeseries = 1: TimeSeries{labels = 1, samples = 2:
// Sample{value = 1 (double), timestamp = 2 (int64)}}}, then snappy.
func (g *gen) promrw(r int64) []byte {
	w := g.aux[:0]
	ts := g.base + r
	var t, s []byte
	for i := 0; i < *ppr; i++ {
		t = t[:0]
		t = pbLabel(t, "__name__", "bench_v")
		t = pbLabel(t, "host", "c"+strconv.Itoa(g.conn))
		t = pbLabel(t, "s", strconv.Itoa(i))
		s = s[:0]
		s = pbTag(s, 1, 1)
		s = binary.LittleEndian.AppendUint64(s, math.Float64bits(value(r, i)))
		s = pbTag(s, 2, 0)
		s = pbVarint(s, uint64(ts))
		t = pbBytes(t, 2, s)
		w = pbBytes(w, 1, t)
	}
	g.aux = w
	g.buf = snappyLiteral(g.buf[:0], w)
	return g.buf
}

// snappyLiteral appends src in snappy's block format without compressing
// it: the uncompressed length as a varint, then literal elements of at
// most 64 KiB. A literal's tag byte is (len-1)<<2 for up to 60 bytes, else
// 60..63 <<2 followed by len-1 in 1..4 little-endian bytes.
func snappyLiteral(dst, src []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(src)))
	for len(src) > 0 {
		n := len(src)
		if n > 65536 {
			n = 65536
		}
		m := n - 1
		switch {
		case m < 60:
			dst = append(dst, byte(m<<2))
		case m < 1<<8:
			dst = append(dst, 60<<2, byte(m))
		default: // m < 1<<16
			dst = append(dst, 61<<2, byte(m), byte(m>>8))
		}
		dst = append(dst, src[:n]...)
		src = src[n:]
	}
	return dst
}

func (g *gen) alerts(r int64) []byte {
	b := g.buf[:0]
	starts := time.UnixMilli(g.base).UTC().Format(time.RFC3339)
	b = append(b, '[')
	for i := 0; i < *ppr; i++ {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"labels":{"alertname":"Bench`...)
		b = strconv.AppendInt(b, int64(i%10), 10)
		b = append(b, `","instance":"c`...)
		b = strconv.AppendInt(b, int64(g.conn), 10)
		b = append(b, '-')
		b = strconv.AppendInt(b, int64(i), 10)
		b = append(b, `","job":"bench","severity":"warning"},"annotations":{"summary":"request `...)
		b = strconv.AppendInt(b, r, 10)
		b = append(b, `"},"startsAt":"`...)
		b = append(b, starts...)
		b = append(b, `","generatorURL":"http://bench/graph"}`...)
	}
	b = append(b, ']')
	g.buf = b
	return b
}

func (g *gen) body(r int64) []byte {
	var b []byte
	switch *mode {
	case "influx":
		b = g.influx(r)
	case "promrw":
		b = g.promrw(r)
	default:
		b = g.alerts(r)
	}
	if !*gz {
		return b
	}
	g.zbuf.Reset()
	if g.zw == nil {
		g.zw, _ = gzip.NewWriterLevel(&g.zbuf, gzip.BestSpeed)
	} else {
		g.zw.Reset(&g.zbuf)
	}
	g.zw.Write(b)
	g.zw.Close()
	return g.zbuf.Bytes()
}

// ---- requests ----

var client *http.Client

func newRequest(body []byte) *http.Request {
	req, err := http.NewRequest("POST", *url, bytes.NewReader(body))
	if err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(2)
	}
	req.ContentLength = int64(len(body))
	if *token != "" {
		req.Header.Set("Authorization", "Token "+*token)
	}
	switch *mode {
	case "influx":
		req.Header.Set("Content-Type", "text/plain; charset=utf-8")
	case "promrw":
		req.Header.Set("Content-Type", "application/x-protobuf")
		req.Header.Set("Content-Encoding", "snappy")
		req.Header.Set("X-Prometheus-Remote-Write-Version", "0.1.0")
		req.Header.Set("User-Agent", "Prometheus/2.42.0")
	default:
		req.Header.Set("Content-Type", "application/json")
	}
	if *gz {
		req.Header.Set("Content-Encoding", "gzip")
	}
	return req
}

// send: the status (0 on a transport error) and the body's first bytes.
func send(body []byte) (int, string, error) {
	resp, err := client.Do(newRequest(body))
	if err != nil {
		return 0, "", err
	}
	var head []byte
	if resp.StatusCode/100 != 2 {
		head, _ = io.ReadAll(io.LimitReader(resp.Body, 512))
	}
	io.Copy(io.Discard, resp.Body) // drain: the connection is reused
	resp.Body.Close()
	return resp.StatusCode, string(head), nil
}

type worker struct {
	lat     []time.Duration
	status  map[int]int
	errs    int
	lastErr string
	first   map[int]string // a body of each non-2xx status
}

func main() {
	flag.Parse()
	if *url == "" || *conns < 1 || *ppr < 1 {
		fmt.Fprintln(os.Stderr, "usage: load -url URL [-token T] [-mode influx|promrw|alerts] [-conns N] "+
			"[-points-per-request P] [-duration D | -requests N] [-warmup D] [-rate R] [-gzip] [-check] [-json]")
		os.Exit(2)
	}
	if *mode != "influx" && *mode != "promrw" && *mode != "alerts" {
		fmt.Fprintln(os.Stderr, "load: -mode is influx, promrw or alerts")
		os.Exit(2)
	}
	if *mode == "promrw" && *gz {
		fmt.Fprintln(os.Stderr, "load: -gzip does not go with -mode promrw (snappy already)")
		os.Exit(2)
	}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        *conns,
		MaxIdleConnsPerHost: *conns,
		MaxConnsPerHost:     *conns,
		DisableCompression:  true,
		IdleConnTimeout:     90 * time.Second,
	}
	client = &http.Client{Transport: tr, Timeout: 60 * time.Second}
	base := time.Now().UnixMilli()

	if *check {
		g := &gen{conn: 999999, base: base}
		code, head, err := send(g.body(0))
		if err != nil {
			fmt.Println("check: error:", err)
			os.Exit(1)
		}
		fmt.Printf("check: %d %s\n", code, head)
		if code/100 != 2 {
			os.Exit(1)
		}
		return
	}

	var (
		wg      sync.WaitGroup
		started int64 // requests taken, counting from the measured start
		stop    int32
	)
	ws := make([]*worker, *conns)
	var interval time.Duration
	if *rate > 0 {
		interval = time.Duration(float64(time.Second) * float64(*conns) / *rate)
	}
	t0 := time.Now()
	tm := t0.Add(*warmup) // measuring from
	for c := 0; c < *conns; c++ {
		w := &worker{status: map[int]int{}, first: map[int]string{}}
		ws[c] = w
		wg.Add(1)
		go func(c int, w *worker) {
			defer wg.Done()
			g := &gen{conn: c, base: base}
			// Connections start spread over one interval when paced.
			next := t0
			if interval > 0 {
				next = t0.Add(interval * time.Duration(c) / time.Duration(*conns))
			}
			for r := int64(0); atomic.LoadInt32(&stop) == 0; r++ {
				body := g.body(r)
				due := time.Now()
				if interval > 0 {
					if d := time.Until(next); d > 0 {
						time.Sleep(d)
					}
					due = next
					next = next.Add(interval)
				}
				// -requests: the first N due after the warm-up count;
				// -duration: those answered within the window.
				counted := false
				if *requests > 0 {
					counted = !due.Before(tm)
					if counted && atomic.AddInt64(&started, 1) > int64(*requests) {
						break
					}
				}
				code, head, err := send(body)
				end := time.Now()
				if *requests == 0 {
					counted = !end.Before(tm) && !end.After(tm.Add(*duration))
				}
				if !counted {
					if err == nil && code/100 != 2 && w.first[code] == "" {
						w.first[code] = head
					}
					continue
				}
				if err != nil {
					w.errs++
					w.lastErr = err.Error()
					time.Sleep(10 * time.Millisecond)
					continue
				}
				w.status[code]++
				if code/100 != 2 && w.first[code] == "" {
					w.first[code] = head
				}
				w.lat = append(w.lat, end.Sub(due))
			}
		}(c, w)
	}
	if *requests == 0 {
		time.Sleep(time.Until(tm.Add(*duration)))
		atomic.StoreInt32(&stop, 1)
		wg.Wait()
	} else {
		wg.Wait()
	}
	elapsed := time.Since(tm)
	if *requests == 0 {
		elapsed = *duration
	}

	var lat []time.Duration
	status := map[int]int{}
	errs := 0
	lastErr := ""
	first := map[int]string{}
	for _, w := range ws {
		lat = append(lat, w.lat...)
		for k, v := range w.status {
			status[k] += v
		}
		for k, v := range w.first {
			first[k] = v
		}
		errs += w.errs
		if w.lastErr != "" {
			lastErr = w.lastErr
		}
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(p float64) float64 {
		if len(lat) == 0 {
			return -1 // no answer timed (JSON has no NaN)
		}
		i := int(math.Ceil(p*float64(len(lat)))) - 1
		if i < 0 {
			i = 0
		}
		return float64(lat[i]) / 1e6
	}
	ok, non2xx := 0, 0
	for k, v := range status {
		if k/100 == 2 {
			ok += v
		} else {
			non2xx += v
		}
	}
	secs := elapsed.Seconds()
	res := map[string]any{
		"label":              *label,
		"mode":               *mode,
		"conns":              *conns,
		"points_per_request": *ppr,
		"gzip":               *gz,
		"rate":               *rate,
		"seconds":            secs,
		"requests":           ok + non2xx,
		"ok":                 ok,
		"non2xx":             non2xx,
		"errors":             errs,
		"req_s":              float64(ok) / secs,
		"points_s":           float64(ok) * float64(*ppr) / secs,
		"p50_ms":             pct(0.50),
		"p99_ms":             pct(0.99),
		"max_ms":             pct(1),
	}
	codes := map[string]int{}
	for k, v := range status {
		codes[strconv.Itoa(k)] = v
	}
	res["status"] = codes
	if *jsonOut {
		out, _ := json.Marshal(res)
		fmt.Println(string(out))
	} else {
		fmt.Printf("%s %s conns=%d ppr=%d: %.0f req/s, %.0f points/s, p50 %.2f ms, p99 %.2f ms, max %.2f ms; "+
			"%d 2xx, %d non-2xx, %d errors\n", *label, *mode, *conns, *ppr, res["req_s"], res["points_s"],
			pct(0.5), pct(0.99), pct(1), ok, non2xx, errs)
	}
	for k, v := range first {
		fmt.Fprintf(os.Stderr, "load: %s: status %d, e.g.: %.200s\n", *label, k, v)
	}
	if lastErr != "" {
		fmt.Fprintf(os.Stderr, "load: %s: %d transport errors, the last: %s\n", *label, errs, lastErr)
	}
}
