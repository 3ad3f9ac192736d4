#!/usr/bin/env python3
"""Drives a running worker with grpcio, a client independent of the worker's own, and prints what
it saw as JSON for `tests/python_client_test.ts` to judge: the model and capability RPCs, the error
statuses, Control PAUSE / RESUME / STOP on a live Synthesize stream, and one stream per answer
opened as soon as the previous one is half-closed.

Usage: wire_checks.py HOST:PORT
"""

import json
import sys
import threading
import time
import uuid
from pathlib import Path

import grpc
from google.protobuf import json_format

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "python"))
from orchestrator import FRAME_BYTES, TtsClient, load_messages  # noqa: E402

LONG_TEXT = " ".join([
    "Streaming speech has to start quickly and keep going without gaps.",
    "This paragraph is long enough that the worker is still speaking it",
    "while the client pauses, resumes and finally stops the utterance.",
    "Every sentence adds a few more seconds of audio to the stream.",
    "The client reads the frames as they come and counts them carefully.",
    "Nothing here should ever be heard to the end.",
])


def as_dict(message):
    """A message as a dict with proto field names and default values."""
    try:
        return json_format.MessageToDict(
            message, preserving_proto_field_name=True, including_default_value_fields=True
        )
    except TypeError:  # protobuf >= 26 renamed the option
        return json_format.MessageToDict(
            message, preserving_proto_field_name=True, always_print_fields_with_no_presence=True
        )


def rpc_error(error):
    """The status of a failed call."""
    return {"code": error.code().name, "details": error.details()}


def new_session_id(label):
    """A fresh session id."""
    return f"python-{label}-{uuid.uuid4().hex[:8]}"


class Listener:
    """Reads a Synthesize call on a thread, keeping every frame and the final status."""

    def __init__(self, call):
        self.frames = []
        self.status = None
        self._call = call
        self._changed = threading.Condition()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self):
        try:
            for frame in self._call:
                with self._changed:
                    self.frames.append(frame)
                    self._changed.notify_all()
            status = {"code": self._call.code().name, "details": self._call.details()}
        except grpc.RpcError as error:
            status = rpc_error(error)
        with self._changed:
            self.status = status
            self._changed.notify_all()

    def count(self):
        """Frames received so far."""
        with self._changed:
            return len(self.frames)

    def wait_for(self, predicate, timeout_s):
        """Waits until `predicate(frames)` holds or the call is over; returns whether it held."""
        with self._changed:
            return self._changed.wait_for(
                lambda: predicate(self.frames) or self.status is not None, timeout_s
            ) and predicate(self.frames)

    def join(self, timeout_s):
        """Waits for the end of the call; returns its status (None on timeout)."""
        self._thread.join(timeout_s)
        return self.status


class HeldOpenFeed:
    """Sends one complete utterance, then keeps the request side open until `close()`."""

    def __init__(self, pb, session_id, text):
        self._chunk = pb.TextChunk(session_id=session_id, text=text, is_final=True)
        self._closed = threading.Event()

    def close(self):
        """Half-closes the stream."""
        self._closed.set()

    def __iter__(self):
        yield self._chunk
        self._closed.wait(60)


def frame_report(frames):
    """Invariants of a stream's frames."""
    sequences = [frame.sequence_number for frame in frames]
    return {
        "frames": len(frames),
        "frame_sizes": sorted({len(frame.audio_data) for frame in frames}),
        "first_sequence": sequences[0] if sequences else None,
        "sequence_gaps": sum(1 for a, b in zip(sequences, sequences[1:]) if b != a + 1),
        "finals": sum(1 for frame in frames if frame.is_final),
        "last_frame_final": bool(frames) and frames[-1].is_final,
        "session_ids": sorted({frame.session_id for frame in frames}),
    }


def control(client, pb, session_id, command):
    """Sends one Control command; returns the response as a dict, or the status it failed with."""
    try:
        request = pb.ControlRequest(session_id=session_id, command=command)
        return {"code": "OK", **as_dict(client.Control(request, timeout=10))}
    except grpc.RpcError as error:
        return rpc_error(error)


def control_flow(client, pb):
    """PAUSE holds the frames back, RESUME lets them flow, STOP ends the utterance."""
    session_id = new_session_id("control")
    report = {"session_id": session_id}
    report["start"] = as_dict(
        client.StartSession(pb.StartSessionRequest(session_id=session_id), timeout=60)
    )
    feed = HeldOpenFeed(pb, session_id, LONG_TEXT)
    listener = Listener(client.Synthesize(iter(feed), timeout=60))
    try:
        report["first_frame_seen"] = listener.wait_for(lambda f: len(f) > 0, 20)
        report["pause"] = control(client, pb, session_id, pb.PAUSE)
        time.sleep(0.2)  # frames already on the wire arrive; the gate holds every later one
        held_from = listener.count()
        time.sleep(0.5)
        report["frames_while_paused"] = listener.count() - held_from
        report["resume"] = control(client, pb, session_id, pb.RESUME)
        listener.wait_for(lambda f: len(f) >= held_from + 5, 10)
        report["frames_after_resume"] = listener.count() - held_from
        report["pause_again"] = control(client, pb, session_id, pb.PAUSE)
        report["finals_before_stop"] = sum(1 for f in listener.frames if f.is_final)
        report["stop"] = control(client, pb, session_id, pb.STOP)
        report["final_after_stop"] = listener.wait_for(
            lambda f: any(frame.is_final for frame in f), 10
        )
        time.sleep(0.2)
        report["stop_again"] = control(client, pb, session_id, pb.STOP)
    finally:
        feed.close()
        report["status"] = listener.join(20)
        report["end"] = as_dict(
            client.EndSession(pb.EndSessionRequest(session_id=session_id), timeout=10)
        )
    report.update(frame_report(listener.frames))
    return report


def stream_per_answer(client, pb, answers=20):
    """One Synthesize stream per answer, as LiveKit Agents opens them: once an answer's final frame
    has arrived its stream is half-closed and the next one opened at once. grpcio sends the
    half-close on its own thread, so the next stream's first chunk may reach the worker first."""
    session_id = new_session_id("answers")
    report = {
        "session_id": session_id,
        "start": as_dict(
            client.StartSession(pb.StartSessionRequest(session_id=session_id), timeout=60)
        ),
    }
    listeners = []
    try:
        for answer in range(answers):
            feed = HeldOpenFeed(pb, session_id, f"Answer number {answer + 1}.")
            listener = Listener(client.Synthesize(iter(feed), timeout=60))
            listeners.append(listener)
            try:
                listener.wait_for(lambda f: any(frame.is_final for frame in f), 20)
            finally:
                feed.close()
    finally:
        report["statuses"] = [listener.join(20) for listener in listeners]
        report["end"] = as_dict(
            client.EndSession(pb.EndSessionRequest(session_id=session_id), timeout=10)
        )
    report["finals_per_stream"] = [
        sum(1 for frame in listener.frames if frame.is_final) for listener in listeners
    ]
    report.update(frame_report([frame for listener in listeners for frame in listener.frames]))
    return report


def synthesize_unknown_session(client, pb):
    """Synthesize naming a session that was never started."""
    session_id = new_session_id("unknown")
    chunks = iter([pb.TextChunk(session_id=session_id, text="Hello.", is_final=True)])
    frames = 0
    try:
        for _ in client.Synthesize(chunks, timeout=20):
            frames += 1
        return {"code": "OK", "details": "", "frames": frames}
    except grpc.RpcError as error:
        return {**rpc_error(error), "frames": frames}


def start_session_status(client, pb, request):
    """StartSession outcome: the response, or the status it failed with."""
    try:
        return {"code": "OK", **as_dict(client.StartSession(request, timeout=60))}
    except grpc.RpcError as error:
        return rpc_error(error)


def real_time_listener(client, pb):
    """A client that reads frames as it plays them (one each 20 ms), with grpcio's default HTTP/2
    window (it grows to megabytes), sends STOP after one second of audio: the worker, pacing its
    frames to real time, still has the rest of the answer, so the STOP cuts it."""
    session_id = new_session_id("listener")
    client.StartSession(pb.StartSessionRequest(session_id=session_id), timeout=60)
    feed = HeldOpenFeed(pb, session_id, LONG_TEXT)
    call = client.Synthesize(iter(feed), timeout=60)
    read = 0
    stop = None
    after_stop = 0
    final = False
    started = time.monotonic()
    try:
        for frame in call:
            read += 1
            if stop is not None:
                after_stop += 1
            if frame.is_final:
                final = True
                break
            if read == 50 and stop is None:
                stop = control(client, pb, session_id, pb.STOP)
                continue
            if time.monotonic() - started > 20:
                break
            time.sleep(0.02)
    finally:
        feed.close()
        call.cancel()
        client.EndSession(pb.EndSessionRequest(session_id=session_id), timeout=10)
    return {"stop": stop, "frames_after_stop": after_stop, "final": final, "frames": read}


def client_keepalive(address, pb):
    """A channel that pings the worker every 500 ms (as orchestrators set keepalive to notice a
    dead worker) stays on its one connection: the worker answers the pings."""
    options = [
        ("grpc.keepalive_time_ms", 500),
        ("grpc.keepalive_timeout_ms", 1000),
        ("grpc.keepalive_permit_without_calls", 1),
        ("grpc.http2.max_pings_without_data", 0),
    ]
    states = []
    with grpc.insecure_channel(address, options=options) as channel:
        channel.subscribe(lambda state: states.append(state.name), try_to_connect=True)
        client = TtsClient(channel, pb)
        client.ListModels(pb.ListModelsRequest(), timeout=30)
        time.sleep(3)
        models = client.ListModels(pb.ListModelsRequest(), timeout=30)
        return {"states": states, "models_after": len(models.models)}


def main(argv):
    """Runs every check against `argv[1]` and prints the report."""
    if len(argv) != 2:
        raise SystemExit(__doc__)
    pb = load_messages()
    with grpc.insecure_channel(argv[1]) as channel:
        client = TtsClient(channel, pb)
        taken = new_session_id("taken")
        client.StartSession(pb.StartSessionRequest(session_id=taken), timeout=60)
        report = {
            "list_models": as_dict(client.ListModels(pb.ListModelsRequest(), timeout=30)),
            "capabilities": as_dict(
                client.GetCapabilities(pb.GetCapabilitiesRequest(), timeout=30)
            ),
            "start_empty_id": start_session_status(client, pb, pb.StartSessionRequest()),
            "start_unknown_model": start_session_status(
                client,
                pb,
                pb.StartSessionRequest(session_id=new_session_id("nomodel"), model_id="no-such"),
            ),
            "start_bad_option": start_session_status(
                client,
                pb,
                pb.StartSessionRequest(
                    session_id=new_session_id("badopt"), options={"speed": "fast"}
                ),
            ),
            "start_duplicate": start_session_status(
                client, pb, pb.StartSessionRequest(session_id=taken)
            ),
            "synthesize_unknown_session": synthesize_unknown_session(client, pb),
            "control_unknown_session": control(client, pb, new_session_id("ghost"), pb.PAUSE),
            "control_unknown_command": control(client, pb, taken, 7),
            "control_flow": control_flow(client, pb),
            "stream_per_answer": stream_per_answer(client, pb),
            "end_taken": as_dict(client.EndSession(pb.EndSessionRequest(session_id=taken))),
            "end_taken_again": as_dict(
                client.EndSession(pb.EndSessionRequest(session_id=taken))
            ),
            "client_keepalive": client_keepalive(argv[1], pb),
            "real_time_listener": real_time_listener(client, pb),
        }
    report["frame_bytes"] = FRAME_BYTES
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main(sys.argv)
