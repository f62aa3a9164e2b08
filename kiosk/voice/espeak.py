"""espeak-ng (Debian package espeak-ng) as a Speaker: one child process per text, killed when the
next text or a stop comes."""

from __future__ import annotations

import itertools
import logging
import shutil
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

# Kiosk language -> espeak-ng voice (``espeak-ng --voices``): Mandarin for Simplified, Cantonese for
# Traditional (the Hong Kong and Macao visitors who choose it), British English.
VOICES: dict[str, str] = {"zh_Hans": "cmn", "zh_Hant": "yue", "en": "en-gb"}
# A killed child is reaped this long at most when the speaker closes.
_REAP_S = 2.0


class EspeakSpeaker:
    """Speaks through ``espeak-ng`` found at ``path`` (a name on PATH or a file).

    ``wav_dir``: write each text to a numbered WAV file there instead of the sound card (tests, and
    a kiosk whose recordings a technician wants to hear). ``words_per_minute``: espeak-ng's ``-s``.
    """

    def __init__(self, path: str = "espeak-ng", *, wav_dir: Path | None = None,
                 words_per_minute: int | None = None) -> None:
        self.path = path
        self.wav_dir = wav_dir
        self.words_per_minute = words_per_minute
        self._binary = shutil.which(path)
        self._process: subprocess.Popen[bytes] | None = None
        # Killed children not yet reaped: collected without waiting at the next call.
        self._stopping: list[subprocess.Popen[bytes]] = []
        self._numbers = itertools.count(1)
        self._failure_logged = False
        self.last_wav: Path | None = None
        if self._binary is None:
            self._unavailable(f"{path} not found")

    @property
    def available(self) -> bool:
        return self._binary is not None

    @property
    def speaking(self) -> bool:
        """A text is being said now."""
        return self._process is not None and self._process.poll() is None

    @property
    def process(self) -> subprocess.Popen[bytes] | None:
        """The child saying the latest text (None before the first)."""
        return self._process

    def command(self, text: str, lang: str) -> list[str]:
        """The espeak-ng command line that says ``text`` in kiosk language ``lang``."""
        voice = VOICES.get(lang)
        if voice is None:
            raise ValueError(f"no espeak-ng voice for language {lang!r}; known: {', '.join(VOICES)}")
        args = [self._binary or self.path, "-v", voice, "-b", "1"]
        if self.words_per_minute is not None:
            args += ["-s", str(self.words_per_minute)]
        if self.wav_dir is not None:
            self.last_wav = self.wav_dir / f"{next(self._numbers):04d}-{lang}.wav"
            args += ["-w", str(self.last_wav)]
        # After "--" a text starting with a dash is not taken for an option.
        return [*args, "--", text]

    def say(self, text: str, lang: str) -> None:
        self.stop()
        if self._binary is None or not text.strip():
            return
        args = self.command(text, lang)
        try:
            # Popen returns once the child is started; the kiosk never waits for the speech.
            self._process = subprocess.Popen(
                args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                start_new_session=True,
            )
        except OSError as exc:
            self._binary = None
            self._unavailable(f"{self.path} cannot be started ({exc.strerror or exc})")

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None:
            if process.poll() is None:
                process.kill()
            self._stopping.append(process)
        self._reap()

    def close(self) -> None:
        self.stop()
        for process in self._stopping:
            try:
                process.wait(timeout=_REAP_S)
            except subprocess.TimeoutExpired:
                log.warning("espeak-ng child %s did not end after being killed", process.pid)
            self._close_pipe(process)
        self._stopping.clear()

    def _reap(self) -> None:
        still: list[subprocess.Popen[bytes]] = []
        for process in self._stopping:
            code = process.poll()
            if code is None:
                still.append(process)
                continue
            # A child that ended by itself with an error (no sound card, a voice missing): said once.
            if code > 0 and not self._failure_logged:
                self._failure_logged = True
                detail = process.stderr.read(400).decode("utf-8", "replace").strip() if process.stderr else ""
                log.warning("espeak-ng exited with status %s: %s", code, detail.splitlines()[-1:] or "")
            self._close_pipe(process)
        self._stopping = still

    @staticmethod
    def _close_pipe(process: subprocess.Popen[bytes]) -> None:
        if process.stderr is not None:
            process.stderr.close()

    def _unavailable(self, why: str) -> None:
        if not self._failure_logged:
            self._failure_logged = True
            log.warning("voice guidance unavailable: %s", why)
