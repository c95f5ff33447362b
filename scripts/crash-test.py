#!/usr/bin/env python3
"""Crash test: every conversation start the server acknowledged gets its conversation.started delivery,
even when the server is killed with SIGKILL mid-burst and restarted on the same database.

Usage: scripts/crash-test.py [path/to/switchboard] — loopback only, standard library only.
"""
import http.client, http.server, json, os, random, re, signal, socket, subprocess, sys, tempfile, threading, time
import urllib.request, urllib.error
from concurrent.futures import ThreadPoolExecutor

SERVER = sys.argv[1] if len(sys.argv) > 1 else ".build/debug/switchboard"
ROUNDS, CALLERS = 4, 8
MIN_STARTS = 20  # acknowledged in each round before its kill, and after the last restart
received = {}  # conversation id -> set of webhook-ids
posts = [0]  # every POST, redeliveries included
lock = threading.Lock()


class Receiver(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with lock:
            received.setdefault(body["conversation"]["id"], set()).add(self.headers["webhook-id"])
            posts[0] += 1
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(method, url, body=None, key=None):
    headers = {"Content-Type": "application/json"}
    if key:
        headers["Authorization"] = f"Bearer {key}"
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(urllib.request.Request(url, data, headers, method=method), timeout=10) as r:
        return json.loads(r.read() or b"{}")


def start_server(database, port):
    process = subprocess.Popen(
        [SERVER, "serve", "--port", str(port), "--database", database, "--allow-private-targets",
         "--visitor-rate-limit", "1000000", "--bot-rate-limit", "1000000", "--retry-schedule", "1,1,1,1,1"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    sys.exit("crash-test: the server did not start")


def main():
    receiver = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    folder = tempfile.mkdtemp(prefix="switchboard-crash-")
    database, port = os.path.join(folder, "db.sqlite"), free_port()
    base = f"http://127.0.0.1:{port}"

    server = start_server(database, port)
    key = re.search(r"sk_[0-9a-f]+", server.stdout.readline() + server.stdout.readline() + server.stdout.readline()).group(0)
    bot = request("POST", f"{base}/api/v1/bots", {"name": "Crash"}, key)["id"]
    request("POST", f"{base}/api/v1/bots/{bot}/hooks",
            {"type": "conversation.started", "targetUrl": f"http://127.0.0.1:{receiver.server_port}/hook"}, key)

    acknowledged, refused = [], []

    def start_conversation():
        """The new conversation's id; None once the server is gone. An HTTP error status is a failure."""
        try:
            answer = request("POST", f"{base}/api/v1/public/bots/{bot}/conversations", {"channelType": "web"})
        except urllib.error.HTTPError as error:
            with lock:
                refused.append(error.code)
            return None
        except (urllib.error.URLError, http.client.HTTPException, OSError):
            return None  # killed mid-request
        with lock:
            acknowledged.append(answer["id"])
        return answer["id"]

    for round_number in range(ROUNDS):
        stop = threading.Event()
        before = len(acknowledged)

        def visitor():
            while not stop.is_set() and start_conversation():
                pass

        with ThreadPoolExecutor(CALLERS) as pool:
            for _ in range(CALLERS):
                pool.submit(visitor)
            deadline = time.time() + 30
            while len(acknowledged) - before < MIN_STARTS and not refused and time.time() < deadline:
                time.sleep(0.01)
            time.sleep(random.uniform(0.3, 1.5))  # a different moment each round
            server.send_signal(signal.SIGKILL)
            server.wait()
            stop.set()
        in_round = len(acknowledged) - before
        print(f"crash-test: round {round_number + 1}: killed after {in_round} acknowledged starts")
        if refused or in_round < MIN_STARTS:
            sys.exit(f"crash-test: FAILED — round {round_number + 1} had {in_round} acknowledged starts "
                     f"(at least {MIN_STARTS} needed) and {len(refused)} refused ({sorted(set(refused))})")
        server = start_server(database, port)

    after_restart = [start_conversation() for _ in range(MIN_STARTS)]
    if None in after_restart:
        sys.exit(f"crash-test: FAILED — after the last restart {after_restart.count(None)} of {MIN_STARTS} "
                 f"starts were not acknowledged ({sorted(set(refused))})")

    deadline = time.time() + 120
    missing = acknowledged
    while time.time() < deadline:
        with lock:
            missing = [c for c in acknowledged if c not in received]
        if not missing:
            break
        time.sleep(0.2)
    server.send_signal(signal.SIGTERM)
    server.wait()
    receiver.shutdown()
    with lock:
        mixed = [c for c, ids in received.items() if len(ids) != 1]
    if missing or mixed:
        sys.exit(f"crash-test: FAILED — {len(missing)} acknowledged starts without a delivery, "
                 f"{len(mixed)} conversations delivered under more than one webhook-id")
    print(f"crash-test: passed — {len(acknowledged)} acknowledged starts over {ROUNDS} kills, every one delivered "
          f"under one webhook-id ({posts[0] - len(received)} redeliveries after a kill)")


if __name__ == "__main__":
    main()
