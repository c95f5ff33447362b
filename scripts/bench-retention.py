#!/usr/bin/env python3
"""Database size after a million deliveries, with and without retention (docs/PERFORMANCE.md).

Builds a SQLite database through the real server (schema, workspace, bot, hook), then writes a million delivered
`conversation.started` deliveries, each with its attempt, spread evenly over the last 60 days (as a busy bot's
would be), straight into the file: producing them through the server would take hours and could not age them.
Measures it, then serves it with `--retention-days 30` while visitors keep starting conversations, and measures
again once the sweep is done: rows, bytes in use, the file, and the starts' latency during the sweep.

Usage: scripts/bench-retention.py [path/to/switchboard] [--deliveries N]   (loopback only, standard library only)
"""
import json, os, re, shutil, sqlite3, subprocess, sys, tempfile, threading, time, urllib.request
import http.server, socket

SERVER = next((a for a in sys.argv[1:] if not a.startswith("--") and not a.isdigit()), ".build/release/switchboard")
DELIVERIES = int(sys.argv[sys.argv.index("--deliveries") + 1]) if "--deliveries" in sys.argv else 1_000_000
DAYS = 60


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, body=None, key=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method), timeout=30) as r:
        return json.loads(r.read() or b"{}")


def serve(database, port, *options):
    process = subprocess.Popen([SERVER, "serve", "--port", str(port), "--database", database, "--embedding-model",
                                "none", "--allow-private-targets", "--visitor-rate-limit", "1000000",
                                "--bot-rate-limit", "1000000", "--log-level", "info", *options],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for _ in range(600):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except OSError:
            time.sleep(0.1)
    sys.exit("bench-retention: the server did not start")


def measure(database):
    db = sqlite3.connect(database)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page_size, pages, free = (db.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count", "freelist_count"))
    deliveries = db.execute("SELECT COUNT(*) FROM delivery").fetchone()[0]
    attempts = db.execute("SELECT COUNT(*) FROM deliveryAttempt").fetchone()[0]
    db.close()
    return {"deliveries": deliveries, "attempts": attempts, "usedMiB": (pages - free) * page_size / 2**20,
            "fileMiB": os.path.getsize(database) / 2**20}


def report(label, m):
    print(f"{label}: {m['deliveries']:,} deliveries, {m['attempts']:,} attempts; "
          f"{m['usedMiB']:.0f} MiB in use, file {m['fileMiB']:.0f} MiB")


def main():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), type("Ok", (http.server.BaseHTTPRequestHandler,), {
        "do_POST": lambda self: (self.rfile.read(int(self.headers["Content-Length"])), self.send_response(204),
                                 self.end_headers()),
        "log_message": lambda self, *a: None}))
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    folder = tempfile.mkdtemp(prefix="switchboard-retention-")
    database, port = os.path.join(folder, "db.sqlite"), free_port()
    base = f"http://127.0.0.1:{port}"

    # The schema, a workspace, a bot and its hook, made by the server itself (retention off: nothing is old yet).
    server = serve(database, port, "--retention-days", "0")
    key = re.search(r"sk_[0-9a-f]+", "".join(server.stdout.readline() for _ in range(3))).group(0)
    bot = call("POST", f"{base}/api/v1/bots", {"name": "Busy bot"}, key)["id"]
    hook = call("POST", f"{base}/api/v1/bots/{bot}/hooks",
                {"type": "conversation.started", "targetUrl": f"http://127.0.0.1:{receiver.server_port}/hook"}, key)
    started = call("POST", f"{base}/api/v1/public/bots/{bot}/conversations", {"channelType": "web"})
    # The visitors write to a bot without hooks, so the counts below are the sweep's alone.
    quiet = call("POST", f"{base}/api/v1/bots", {"name": "Quiet bot"}, key)["id"]
    time.sleep(1)
    server.terminate(); server.wait()

    # A million delivered events over the last 60 days, payloads as the server writes them.
    db = sqlite3.connect(database)
    payload, = db.execute("SELECT payload FROM delivery LIMIT 1").fetchone()
    now = int(time.time() * 1000)
    step = DAYS * 86_400_000 // DELIVERIES
    print(f"writing {DELIVERIES:,} deliveries over {DAYS} days …", file=sys.stderr)
    for chunk in range(0, DELIVERIES, 50_000):
        rows, attempts = [], []
        for n in range(chunk, min(chunk + 50_000, DELIVERIES)):
            at = now - DAYS * 86_400_000 + n * step
            id = f"{n:08d}-0000-4000-8000-{bot[-12:]}"
            rows.append((id, hook["id"], "conversation.started", payload, "succeeded", 1, at, 204, None, at, at,
                         started["id"], 1))
            attempts.append((f"a{id}", id, 1, at, 204, 3.2, None, ""))
        db.executemany("INSERT INTO delivery (id, hookId, event, payload, status, attemptCount, nextAttemptAt, "
                       "lastResponseCode, lastError, createdAt, updatedAt, conversationId, sequence) "
                       "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
        db.executemany("INSERT INTO deliveryAttempt (id, deliveryId, number, attemptedAt, responseCode, latencyMs, "
                       "error, responseBody) VALUES (?,?,?,?,?,?,?,?)", attempts)
        db.commit()
    db.close()
    without = measure(database)
    report("without retention", without)

    # Served with the default 30 days, while visitors start conversations: the sweep runs at start, in batches.
    server = serve(database, port, "--retention-days", "30")
    latencies, stop = [], threading.Event()

    def visitor(into):
        while not stop.is_set():
            t = time.perf_counter()
            call("POST", f"{base}/api/v1/public/bots/{quiet}/conversations", {"channelType": "web"})
            into.append((time.perf_counter() - t) * 1000)

    def visitors(into):
        threads = [threading.Thread(target=visitor, args=(into,)) for _ in range(4)]
        for t in threads:
            t.start()
        return threads

    sweep_start = time.time()
    threads = visitors(latencies)
    log = ""
    while "Deleted records past retention" not in log:
        line = server.stderr.readline()
        if not line:
            break
        log += line
    swept = time.time() - sweep_start
    stop.set()
    for t in threads:
        t.join()
    # The same visitors for as long again with nothing to sweep: the baseline.
    baseline, stop = [], threading.Event()
    threads = visitors(baseline)
    time.sleep(max(5, swept))
    stop.set()
    for t in threads:
        t.join()
    server.terminate(); server.wait()
    after = measure(database)
    report("with --retention-days 30, after the sweep", after)
    latencies.sort()
    baseline.sort()
    pick = lambda values, q: values[min(len(values) - 1, int(q * len(values)))]
    print(f"sweep: {swept:.1f} s; meanwhile {len(latencies):,} starts by 4 visitors, p50 {pick(latencies, 0.5):.1f} ms, "
          f"p99 {pick(latencies, 0.99):.1f} ms, max {latencies[-1]:.1f} ms; with nothing to sweep "
          f"p50 {pick(baseline, 0.5):.1f} ms, p99 {pick(baseline, 0.99):.1f} ms, max {baseline[-1]:.1f} ms")
    db = sqlite3.connect(database)
    db.execute("VACUUM")
    db.close()
    print(f"after VACUUM (not needed: freed pages are reused): file {os.path.getsize(database) / 2**20:.0f} MiB")
    print(json.dumps({"benchmark": "retention", "deliveries": DELIVERIES, "without": without, "with": after,
                      "sweepSeconds": round(swept, 1), "startP99Ms": round(pick(latencies, 0.99), 1),
                      "baselineStartP99Ms": round(pick(baseline, 0.99), 1)}))
    shutil.rmtree(folder)


main()
