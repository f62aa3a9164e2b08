// The cloud seat's recent events (signaling in and out, data channel, failures), kept for
// window.assistConsole.log(): the end-to-end tests and the benchmark read it when a call misbehaves.

const entries = [];

export function note(kind, detail) {
  entries.push({ at: Date.now(), kind, detail });
  if (entries.length > 200) entries.shift();
}

export function noted() {
  return entries.slice();
}
