// A small HTTP load generator for bench/serve_load.sh (standard library only: `go build bench/serve_load.go`).
//
//	serve_load open   -base URL -paths FILE -rate N -requests N
//	    open loop: request i is due at start + i/rate and is sent then, whatever earlier requests are doing;
//	    its latency runs from when it was due (so a server that falls behind shows it: no coordinated omission).
//	    GETs cycle over the paths in FILE.
//	serve_load closed -base URL -body FILE -token T -requests N -concurrency C
//	    closed loop: C senders PUT /api/v1/runs/<id> with the body in FILE, its "@RUN_ID@" replaced by the
//	    run id (bench-<n>), each sending its next request when the last one answered.
//
// Prints one line: requests, seconds, requests answered 200/201 per second (from the first request to the last
// answer), p50, p99 and max latency in ms (over all requests), errors (a transport error, a timeout, a status
// other than 200/201, or, open loop, a request not sent because -max-in-flight were outstanding), and the first
// error seen.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

type result struct {
	latency time.Duration
	ok      bool
	problem string
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: serve_load open|closed [flags]")
		os.Exit(2)
	}
	mode := os.Args[1]
	flags := flag.NewFlagSet(mode, flag.ExitOnError)
	base := flags.String("base", "", "the server's base URL")
	pathsFile := flags.String("paths", "", "open: a file of request paths, one a line")
	rate := flags.Float64("rate", 2000, "open: requests a second")
	requests := flags.Int("requests", 1000, "how many requests")
	bodyFile := flags.String("body", "", "closed: the run report, with @RUN_ID@ where the run id goes")
	token := flags.String("token", "", "closed: the ingest token")
	concurrency := flags.Int("concurrency", 4, "closed: senders")
	timeout := flags.Duration("timeout", 10*time.Second, "per request")
	maxInFlight := flags.Int("max-in-flight", 2000, "open: requests outstanding at most; more count as errors")
	flags.Parse(os.Args[2:])

	transport := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second}).DialContext,
		MaxIdleConns:        4096,
		MaxIdleConnsPerHost: 4096,
		IdleConnTimeout:     60 * time.Second,
		DisableCompression:  true,
	}
	client := &http.Client{Transport: transport, Timeout: *timeout}
	results := make([]result, *requests)
	var started, ended time.Time

	switch mode {
	case "open":
		paths := readLines(*pathsFile)
		var inFlight int64
		var wait sync.WaitGroup
		interval := time.Duration(float64(time.Second) / *rate)
		started = time.Now()
		for i := 0; i < *requests; i++ {
			due := started.Add(time.Duration(i) * interval)
			if pause := time.Until(due); pause > 0 {
				time.Sleep(pause)
			}
			if atomic.LoadInt64(&inFlight) >= int64(*maxInFlight) {
				results[i] = result{latency: time.Since(due), problem: "too many requests outstanding"}
				continue
			}
			atomic.AddInt64(&inFlight, 1)
			wait.Add(1)
			go func(i int, due time.Time) {
				defer wait.Done()
				defer atomic.AddInt64(&inFlight, -1)
				results[i] = send(client, "GET", *base+paths[i%len(paths)], nil, "", due)
			}(i, due)
		}
		wait.Wait()
		ended = time.Now()
	case "closed":
		body, err := os.ReadFile(*bodyFile)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		var next int64 = -1
		var wait sync.WaitGroup
		started = time.Now()
		for s := 0; s < *concurrency; s++ {
			wait.Add(1)
			go func() {
				defer wait.Done()
				for {
					i := int(atomic.AddInt64(&next, 1))
					if i >= *requests {
						return
					}
					id := fmt.Sprintf("bench-%06d", i)
					document := strings.ReplaceAll(string(body), "@RUN_ID@", id)
					results[i] = send(client, "PUT", *base+"/api/v1/runs/"+id, []byte(document), *token, time.Now())
				}
			}()
		}
		wait.Wait()
		ended = time.Now()
	default:
		fmt.Fprintln(os.Stderr, "usage: serve_load open|closed [flags]")
		os.Exit(2)
	}

	latencies := make([]time.Duration, 0, len(results))
	errors := 0
	firstProblem := "-"
	for _, r := range results {
		latencies = append(latencies, r.latency)
		if !r.ok {
			errors++
			if firstProblem == "-" {
				firstProblem = r.problem
			}
		}
	}
	sort.Slice(latencies, func(a, b int) bool { return latencies[a] < latencies[b] })
	quantile := func(q float64) float64 {
		index := int(q*float64(len(latencies))+0.5) - 1
		if index < 0 {
			index = 0
		}
		if index >= len(latencies) {
			index = len(latencies) - 1
		}
		return float64(latencies[index].Microseconds()) / 1000
	}
	seconds := ended.Sub(started).Seconds()
	fmt.Printf("%d %.2f %.0f %.2f %.2f %.2f %d %s\n", len(results), seconds, float64(len(results)-errors)/seconds,
		quantile(0.50), quantile(0.99), quantile(1.0), errors, strings.ReplaceAll(firstProblem, " ", "_"))
}

func send(client *http.Client, method, url string, body []byte, token string, due time.Time) result {
	var reader io.Reader
	if body != nil {
		reader = strings.NewReader(string(body))
	}
	request, err := http.NewRequest(method, url, reader)
	if err != nil {
		return result{latency: time.Since(due), problem: err.Error()}
	}
	if token != "" {
		request.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	response, err := client.Do(request)
	if err != nil {
		return result{latency: time.Since(due), problem: err.Error()}
	}
	io.Copy(io.Discard, response.Body)
	response.Body.Close()
	latency := time.Since(due)
	if response.StatusCode != 200 && response.StatusCode != 201 {
		return result{latency: latency, problem: fmt.Sprintf("HTTP %d", response.StatusCode)}
	}
	return result{latency: latency, ok: true}
}

func readLines(path string) []string {
	file, err := os.Open(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	defer file.Close()
	var lines []string
	scanner := bufio.NewScanner(file)
	for scanner.Scan() {
		if line := strings.TrimSpace(scanner.Text()); line != "" {
			lines = append(lines, line)
		}
	}
	if len(lines) == 0 {
		fmt.Fprintln(os.Stderr, "no paths in", path)
		os.Exit(2)
	}
	return lines
}
