// Announcements from a voice pack, one at a time: each call's segments (the chime, then the sentence in each
// language in turn, the round twice) play clip after clip through one Audio element, so no two ever overlap;
// calls that arrive meanwhile wait their turn. A clip that fails or never ends is skipped, never waited on.
const CLIP_LIMIT_MS = 10000;
const SILENT_SEGMENT_MS = 3000;

export class Announcer {
  constructor({ onStart, onSegment, onBlocked }) {
    this.audio = new Audio();
    this.audio.preload = "auto";
    this.jobs = [];
    this.busy = false;
    this.muted = false;  // the browser refused to play without a touch: captions only until unlocked
    this.hooks = { onStart, onSegment, onBlocked };
  }

  add(call) {
    this.jobs.push(call);
    if (!this.busy) this.next();
  }

  unlock() {
    this.muted = false;
    this.audio.play().catch(() => {});
  }

  async next() {
    const call = this.jobs.shift();
    if (!call) {
      this.busy = false;
      return;
    }
    this.busy = true;
    this.hooks.onStart(call);
    const segments = call.voice && call.voice.length
      ? call.voice
      : Object.keys(call.say).map((lang) => ({ lang, clips: [] }));
    for (const segment of segments) {
      this.hooks.onSegment(call, segment.lang);
      if (this.muted || !segment.clips.length) {
        if (segment.lang) await new Promise((resolve) => setTimeout(resolve, SILENT_SEGMENT_MS));
        continue;
      }
      for (const clip of segment.clips) await this.play(clip);
    }
    this.next();
  }

  play(src) {
    const audio = this.audio;
    return new Promise((resolve) => {
      let timer = null;
      const finish = () => {
        clearTimeout(timer);
        audio.onended = null;
        audio.onerror = null;
        resolve();
      };
      audio.onended = finish;
      audio.onerror = finish;
      timer = setTimeout(finish, CLIP_LIMIT_MS);
      audio.src = src;
      audio.play().catch((error) => {
        if (error && error.name === "NotAllowedError") {
          this.muted = true;
          this.hooks.onBlocked();
        }
        finish();
      });
    });
  }
}
