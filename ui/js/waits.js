// What a refresh waits for, in words: the reason and when it ends. The
// reasons are the backend's `WaitFor` (core/src/refresh/waits.rs).

import { clock } from './format.js';

const WAITING = Object.freeze({
  access_limit: (at) => `Meta's access limit was reached — waiting until ${at}`,
  next_try: (at) => `Meta did not answer — trying again at ${at}`,
});

const NEXT_TRY = Object.freeze({
  access_limit: (at) => `Meta's access limit was reached — Adkeep tries again at ${at}`,
  next_try: (at) => `Meta did not answer — Adkeep tries again at ${at}`,
});

/** A wait during a run, e.g. "Meta's access limit was reached — waiting until 10:42". */
export function waitingText(wait) {
  const words = wait && WAITING[wait.reason];
  return words ? words(clock(wait.until)) : '';
}

/** The automatic retry planned between runs. */
export function nextTryText(wait) {
  const words = wait && NEXT_TRY[wait.reason];
  return words ? words(clock(wait.until)) : '';
}
