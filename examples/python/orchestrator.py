#!/usr/bin/env python3
"""A small orchestrator for the TTS worker, written against `proto/tts.proto` with grpcio.

It does what a voice agent does with the worker:

1. StartSession with a model (the worker's default when none is named) and options.
2. Synthesize: streams the text in token-like fragments, one every ~30 ms, as an LLM produces
   it, and receives 20 ms AudioFrames (48 kHz mono s16le) while it is still sending.
3. Optionally barges in: after N ms of audio it stops sending text and sends Control STOP; the
   worker ends the utterance with its final frame at once. (Control travels on its own call, so
   a fragment still in flight when STOP is sent may reach the worker after it; the worker drops
   such late text of the utterance it cut, for --stopped-text-window-ms after the STOP.)
4. Checks the frames (size, sequence numbers, exactly one final frame), writes them to a WAV
   file, prints a JSON summary on stdout, and ends the session with EndSession.

The message classes are generated at run time with `protoc --python_out`; the calls are made
with `channel.unary_unary` / `channel.stream_stream`, so neither `grpcio-tools` nor generated
service stubs are needed. Needs `grpcio` and `protobuf` (Debian: python3-grpcio,
python3-protobuf) and `protoc` (Debian: protobuf-compiler).

Exit status: 0 when every frame check passed, 1 when one failed, 2 when an RPC failed or was
refused (or the arguments are wrong).
"""

import argparse
import array
import importlib
import json
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import wave
from pathlib import Path

import grpc

PROTO_PATH = Path(__file__).resolve().parents[2] / "proto" / "tts.proto"
SERVICE = "/tts.TTSService/"
SAMPLE_RATE = 48000
FRAME_MS = 20
FRAME_BYTES = SAMPLE_RATE * FRAME_MS // 1000 * 2
DEFAULT_TEXT = (
    "Hello! This is the streaming text to speech worker, speaking to a Python orchestrator. "
    "The text arrives in small pieces, the way a language model writes it."
)


def load_messages(proto_path=PROTO_PATH):
    """Generates the message classes of `tts.proto` with protoc and returns the `tts_pb2` module."""
    with tempfile.TemporaryDirectory(prefix="tts_proto_") as out_dir:
        subprocess.run(
            ["protoc", f"--proto_path={proto_path.parent}", f"--python_out={out_dir}",
             str(proto_path)],
            check=True,
        )
        sys.path.insert(0, out_dir)
        try:
            return importlib.import_module(Path(proto_path).stem + "_pb2")
        finally:
            sys.path.remove(out_dir)


class TtsClient:
    """Callables for the `tts.TTSService` methods on one channel, made from the message classes."""

    def __init__(self, channel, pb):
        def unary(method, request, response):
            return channel.unary_unary(
                SERVICE + method,
                request_serializer=request.SerializeToString,
                response_deserializer=response.FromString,
            )

        self.StartSession = unary("StartSession", pb.StartSessionRequest, pb.StartSessionResponse)
        self.EndSession = unary("EndSession", pb.EndSessionRequest, pb.EndSessionResponse)
        self.Control = unary("Control", pb.ControlRequest, pb.ControlResponse)
        self.ListModels = unary("ListModels", pb.ListModelsRequest, pb.ListModelsResponse)
        self.LoadModel = unary("LoadModel", pb.LoadModelRequest, pb.LoadModelResponse)
        self.UnloadModel = unary("UnloadModel", pb.UnloadModelRequest, pb.UnloadModelResponse)
        self.GetCapabilities = unary(
            "GetCapabilities", pb.GetCapabilitiesRequest, pb.GetCapabilitiesResponse
        )
        self.Synthesize = channel.stream_stream(
            SERVICE + "Synthesize",
            request_serializer=pb.TextChunk.SerializeToString,
            response_deserializer=pb.AudioFrame.FromString,
        )


def token_fragments(text):
    """Splits text into pieces of at most four characters (plus leading spaces), like LLM tokens."""
    return re.findall(r"\s*\S{1,4}", text)


class TextFeed:
    """The request side of Synthesize: text fragments at a steady pace until done or stopped."""

    def __init__(self, pb, session_id, fragments, interval_s):
        self._pb = pb
        self._session_id = session_id
        self._fragments = fragments
        self._interval_s = interval_s
        self._stop = threading.Event()
        self.done = threading.Event()
        self.first_sent_at = None
        self.sent = 0

    def stop(self):
        """Stops sending text; `done` is set once the feed has half-closed the stream."""
        self._stop.set()

    def __iter__(self):
        try:
            last = len(self._fragments) - 1
            for index, fragment in enumerate(self._fragments):
                if self._stop.is_set():
                    return
                if self.first_sent_at is None:
                    self.first_sent_at = time.monotonic()
                self.sent += 1
                yield self._pb.TextChunk(
                    session_id=self._session_id,
                    text=fragment,
                    is_final=index == last,
                    sequence_number=index,
                )
                if index < last and self._stop.wait(self._interval_s):
                    return
        finally:
            self.done.set()


class FrameCheck:
    """Collects the PCM of the AudioFrames and what is wrong with them."""

    def __init__(self):
        self.frames = 0
        self.bad_sizes = 0
        self.bad_formats = 0
        self.sequence_gaps = 0
        self.first_sequence = None
        self.finals = 0
        self.frames_after_final = 0
        self.last_is_final = False
        self.peak = 0
        self.pcm = bytearray()
        self._previous = None

    def add(self, frame):
        """Checks one frame and keeps its audio."""
        self.frames += 1
        if len(frame.audio_data) != FRAME_BYTES:
            self.bad_sizes += 1
        if frame.sample_rate != SAMPLE_RATE or frame.frame_duration_ms != FRAME_MS:
            self.bad_formats += 1
        if self._previous is None:
            self.first_sequence = frame.sequence_number
        elif frame.sequence_number != self._previous + 1:
            self.sequence_gaps += 1
        self._previous = frame.sequence_number
        if self.finals > 0:
            self.frames_after_final += 1
        if frame.is_final:
            self.finals += 1
        self.last_is_final = frame.is_final
        samples = array.array("h", frame.audio_data[: len(frame.audio_data) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        self.peak = max(self.peak, max(map(abs, samples), default=0))
        self.pcm += frame.audio_data

    def ok(self):
        """Whether every frame was well formed and the stream's one utterance ended with exactly
        one final frame, its last frame."""
        return (
            self.frames > 0
            and self.bad_sizes == 0
            and self.bad_formats == 0
            and self.sequence_gaps == 0
            and self.finals == 1
            and self.last_is_final
        )


def write_wav(path, pcm):
    """Writes 48 kHz mono 16-bit PCM to a WAV file."""
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(SAMPLE_RATE)
        out.writeframes(bytes(pcm))


def parse_options(pairs):
    """Turns `key=value` strings into the StartSession options map (ValueError when malformed)."""
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise ValueError(f"--option wants KEY=VALUE, got {pair!r}")
        options[key] = value
    return options


class Refused(Exception):
    """The worker answered StartSession with success=false."""


def speak(client, pb, args):
    """Runs one session: start, stream text, receive and check frames, end. Returns the summary."""
    session_id = args.session_id or f"orchestrator-example-{uuid.uuid4().hex[:12]}"
    request = pb.StartSessionRequest(
        session_id=session_id, model_id=args.model, options=args.options
    )
    started = client.StartSession(request, timeout=60)
    if not started.success:
        raise Refused(started.message)

    feed = TextFeed(pb, session_id, token_fragments(args.text), args.interval_ms / 1000)
    check = FrameCheck()
    first_frame_at = None
    barge_in = None
    try:
        call = client.Synthesize(iter(feed), timeout=120)
        for frame in call:
            if first_frame_at is None:
                first_frame_at = time.monotonic()
            check.add(frame)
            heard_ms = check.frames * FRAME_MS
            if args.barge_in_after_ms is not None and barge_in is None and not frame.is_final \
                    and heard_ms >= args.barge_in_after_ms:
                # The listener interrupts: stop feeding text first, so that no new fragment
                # follows the STOP (one already in flight may, and is dropped: see the module
                # doc), then cut the current utterance short.
                feed.stop()
                feed.done.wait(5)
                reply = client.Control(
                    pb.ControlRequest(session_id=session_id, command=pb.STOP), timeout=10
                )
                barge_in = {
                    "after_audio_ms": heard_ms,
                    "success": reply.success,
                    "message": reply.message,
                    "frames_before": check.frames,
                }
        status = call.code().name
    finally:
        ended = client.EndSession(pb.EndSessionRequest(session_id=session_id), timeout=10)

    write_wav(args.out, check.pcm)
    latency = None
    if first_frame_at is not None and feed.first_sent_at is not None:
        latency = round((first_frame_at - feed.first_sent_at) * 1000, 1)
    if barge_in is not None:
        barge_in["frames_after"] = check.frames - barge_in.pop("frames_before")
    return {
        "ok": check.ok() and status == "OK",
        "session_id": session_id,
        "model_id": args.model,
        "status": status,
        "text_chunks_sent": feed.sent,
        "frames": check.frames,
        "frame_bytes": FRAME_BYTES,
        "bad_frame_sizes": check.bad_sizes,
        "bad_frame_formats": check.bad_formats,
        "first_sequence": check.first_sequence,
        "sequence_gaps": check.sequence_gaps,
        "finals": check.finals,
        "last_frame_final": check.last_is_final,
        "frames_after_final": check.frames_after_final,
        "first_frame_latency_ms": latency,
        "duration_s": round(check.frames * FRAME_MS / 1000, 3),
        "peak": check.peak,
        "barge_in": barge_in,
        "end_session": ended.success,
        "wav": str(args.out),
    }


def main(argv=None):
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--address", default="127.0.0.1:7001", help="worker host:port")
    parser.add_argument("--text", default=DEFAULT_TEXT, help="what to say")
    parser.add_argument("--out", default="orchestrator.wav", help="WAV file to write")
    parser.add_argument("--model", default="", help="model id (empty: the worker's default)")
    parser.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="StartSession option, e.g. speed=1.2 (repeatable)")
    parser.add_argument("--session-id", default="", help="session id (default: a random one)")
    parser.add_argument("--interval-ms", type=float, default=30, help="pause between fragments")
    parser.add_argument("--barge-in-after-ms", type=int, default=None, metavar="N",
                        help="after N ms of audio, stop sending text and send Control STOP")
    args = parser.parse_args(argv)
    try:
        args.options = parse_options(args.option)
    except ValueError as error:
        parser.error(str(error))

    pb = load_messages()
    with grpc.insecure_channel(args.address) as channel:
        try:
            summary = speak(TtsClient(channel, pb), pb, args)
        except grpc.RpcError as error:
            print(f"{error.code().name}: {error.details()}", file=sys.stderr)
            return 2
        except Refused as error:
            print(f"StartSession refused: {error}", file=sys.stderr)
            return 2
    print(json.dumps(summary, indent=2))
    return 0 if summary["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
