#!/usr/bin/env bash
# A whole session with grpcurl (https://github.com/fullstorydev/grpcurl) against a running worker:
# list and describe through reflection, health, StartSession, Synthesize (the frames are printed as
# JSON, audio_data in base64), Control, EndSession.
#
#   examples/grpcurl/session.sh [HOST:PORT]        (default 127.0.0.1:7001)
#
# The request bodies live beside this script as JSON files, one per call.
set -euo pipefail
address="${1:-127.0.0.1:7001}"
here="$(cd "$(dirname "$0")" && pwd)"
call() { grpcurl -plaintext -d @ "$address" "$1" < "$here/$2"; }

grpcurl -plaintext "$address" list
grpcurl -plaintext "$address" describe tts.TTSService
call grpc.health.v1.Health/Check health_check.json
call tts.TTSService/StartSession start_session.json
call tts.TTSService/Synthesize synthesize.jsonl | grep -E '"sequenceNumber"|"isFinal"' | tail -4
call tts.TTSService/Control control_stop.json
call tts.TTSService/EndSession end_session.json
