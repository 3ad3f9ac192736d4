/**
 * Defaults of a stream's timing settings, apart from the code that uses them so that the
 * configuration (and the health probe that reads it) need not load the pipeline.
 *
 * @module
 */

/**
 * Default pacing lead (ms): the most audio a stream sends ahead of real-time playback. Enough for a
 * client's jitter buffer and a pause of the worker (garbage collection, a busy core), short enough
 * that PAUSE is heard soon.
 */
export const DEFAULT_AUDIO_LEAD_MS = 1000;

/**
 * Default window (ms) after a STOP during which late text of the utterance it cut is dropped: well
 * above the delay of a chunk in flight (a few ms measured here, tens under load), well below the
 * time a voice agent takes to hear the interruption out and answer it.
 */
export const DEFAULT_STOPPED_TEXT_WINDOW_MS = 250;
