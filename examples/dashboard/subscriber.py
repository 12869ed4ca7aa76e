#!/usr/bin/env python3
"""A minimal assayd dashboard feed: live events with catch-up, nothing missed.

Subscribes to assayd's PUB socket, fetches history with events.since (the clone pattern),
then prints live events in seq order; heals gaps by asking events.since again. With --job it
follows one job and exits when the job ends (0 succeeded, 1 otherwise).
"""
import argparse
import json
import os
import sys
import uuid

import zmq


def request(api, op, **fields):
    fields.update({"v": 1, "id": uuid.uuid4().hex, "op": op})
    api.send_json(fields)
    if not api.poll(10000):
        sys.exit(f"no reply from assayd to {op}")
    reply = api.recv_json()
    if not reply["ok"]:
        sys.exit(f"{op}: {reply['error']['code']}: {reply['error']['message']}")
    return reply["result"]


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", default=os.environ.get("ASSAYD_STATE_DIR", "state"))
    parser.add_argument("--job", help="follow this job until it ends")
    parser.add_argument("--since", type=int, default=0, help="last seq already seen")
    args = parser.parse_args()
    run = os.path.abspath(os.path.join(args.state_dir, "run"))

    context = zmq.Context()
    sub = context.socket(zmq.SUB)
    sub.setsockopt_string(zmq.SUBSCRIBE, f"job.{args.job}." if args.job else "")
    sub.setsockopt_string(zmq.SUBSCRIBE, "heartbeat")
    sub.connect(f"ipc://{run}/events.sock")
    api = context.socket(zmq.DEALER)
    api.connect(f"ipc://{run}/api.sock")

    last = args.since
    seen = set()

    def show(event):
        nonlocal last
        if event["seq"] in seen:
            return None
        seen.add(event["seq"])
        last = max(last, event["seq"])
        fields = {k: v for k, v in event.items() if k not in ("seq", "time", "topic", "rows", "columns")}
        if "rows" in event:
            fields["readings"] = len(event["rows"])
        print(f"{event['seq']:>7} {event['time']} {event['topic']:<28} {json.dumps(fields)}", flush=True)
        if args.job and event["topic"].endswith(".state") and event["state"] in ("succeeded", "failed", "cancelled"):
            return event["state"]
        return None

    def catch_up():
        nonlocal last
        while True:
            fields = {"seq": last, "limit": 1000}
            if args.job:
                fields["job_id"] = args.job
            page = request(api, "events.since", **fields)
            for event in page["events"]:
                done = show(event)
                if done:
                    return done
            if len(page["events"]) < 1000:
                last = max(last, page["last_seq"]) if args.job else last
                return None

    done = catch_up()
    while not done:
        topic, body = sub.recv_multipart()
        event = json.loads(body)
        if topic == b"heartbeat":
            if event["seq"] > last:
                done = catch_up()
            continue
        if not args.job and event["seq"] > last + 1:
            done = catch_up()
        done = done or show(event)
    sys.exit(0 if done == "succeeded" else 1)


if __name__ == "__main__":
    main()
