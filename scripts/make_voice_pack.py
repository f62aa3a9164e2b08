#!/usr/bin/env python3
"""Record the calling screen's default voice pack with espeak-ng and opusenc (once; the pack is checked in).

    python scripts/make_voice_pack.py [--out hall_server/data/voice/default]

Each clip is spoken by espeak-ng (Mandarin from pinyin with the cmn-latn-pinyin voice, since Debian's cmn
dictionary lacks most characters; Cantonese with yue; English with en-gb), trimmed of its leading and
trailing silence, and encoded as mono Ogg/Opus at a speech bitrate. The chime is two sine tones made here.
Needs espeak-ng and opus-tools (opusenc) on the PATH; nothing in CI runs this.
"""

from __future__ import annotations

import argparse
import array
import io
import json
import math
import shutil
import subprocess
import sys
import tempfile
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "hall_server" / "data" / "voice" / "default"
LETTERS = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
DIGITS = [str(d) for d in range(10)]
BITRATE_KBPS = "16"

# What each clip says, per language: (espeak voice, {clip name: text}).
MANDARIN_DIGITS = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"]
CANTONESE_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]
ENGLISH_WORDS = {
    "0": "zero", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five", "6": "six", "7": "seven",
    "8": "eight", "9": "nine", "10": "ten", "11": "eleven", "12": "twelve", "13": "thirteen",
    "14": "fourteen", "15": "fifteen", "16": "sixteen", "17": "seventeen", "18": "eighteen",
    "19": "nineteen", "20": "twenty", "30": "thirty", "40": "forty", "50": "fifty", "60": "sixty",
    "70": "seventy", "80": "eighty", "90": "ninety", "100": "hundred", "1000": "thousand", "and": "and",
}
PHRASES = {
    "zh-Hans": ("cmn-latn-pinyin", {
        "qing": "qing3", "hao_dao": "hao4, dao4", "hao_chuangkou_banli": "hao4 chuang1 kou3 ban4 li3",
        **dict(zip(DIGITS, MANDARIN_DIGITS, strict=True)), "10": "shi2", "100": "bai3", "1000": "qian1",
    }),
    "yue": ("yue", {
        "qing": "請", "hao_dao": "號，到", "hao_chuangkou_banli": "號窗口辦理",
        **dict(zip(DIGITS, CANTONESE_DIGITS, strict=True)), "10": "十", "100": "百", "1000": "千",
    }),
    "en": ("en-gb", {"number": "Number", "please_go_to_window": "please go to window", **ENGLISH_WORDS}),
}
# Latin letters: Mandarin speakers say them the English way, which the cmn voice (latin as English) does.
LETTER_VOICES = {"zh-Hans": "cmn", "yue": "yue", "en": "en-gb"}
CALLS = {
    "zh-Hans": ["qing", "{ticket}", "hao_dao", "{window}", "hao_chuangkou_banli"],
    "yue": ["qing", "{ticket}", "hao_dao", "{window}", "hao_chuangkou_banli"],
    "en": ["number", "{ticket}", "please_go_to_window", "{window}"],
}
NUMBER_READERS = {"zh-Hans": "zh", "yue": "zh", "en": "en"}


def _trimmed(wav_bytes: bytes, threshold: int = 400, keep_ms: int = 30) -> tuple[bytes, int]:
    """The 16-bit mono samples without the silence espeak-ng puts around a word, and the sample rate."""
    with wave.open(io.BytesIO(wav_bytes)) as source:
        rate = source.getframerate()
        samples = array.array("h", source.readframes(source.getnframes()))
    loud = [i for i, s in enumerate(samples) if abs(s) > threshold]
    if not loud:
        raise SystemExit("espeak-ng produced silence")
    keep = rate * keep_ms // 1000
    start, end = max(0, loud[0] - keep), min(len(samples), loud[-1] + keep)
    return samples[start:end].tobytes(), rate


def _spoken(voice: str, text: str) -> tuple[bytes, int]:
    wav = subprocess.run(["espeak-ng", "-v", voice, "-s", "150", "--stdout", text],
                         check=True, capture_output=True).stdout
    return _trimmed(wav)


def _chime(rate: int = 24000) -> bytes:
    """Two tones a major third apart (ding-dong), each fading out."""
    samples = array.array("h")
    for freq, length in ((880.0, 0.45), (698.5, 0.7)):
        count = int(rate * length)
        for i in range(count):
            fade = math.exp(-3.5 * i / count)
            value = math.sin(2 * math.pi * freq * i / rate) + 0.3 * math.sin(4 * math.pi * freq * i / rate)
            samples.append(int(9000 * fade * value))
    return samples.tobytes()


def _encode(pcm: bytes, rate: int, target: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "clip.wav"
        with wave.open(str(wav_path), "wb") as out:
            out.setnchannels(1)
            out.setsampwidth(2)
            out.setframerate(rate)
            out.writeframes(pcm)
        target.parent.mkdir(parents=True, exist_ok=True)
        # --discard-comments: no encoder tags with dates, so a re-run gives comparable files.
        command = ["opusenc", "--quiet", "--bitrate", BITRATE_KBPS, "--downmix-mono", "--discard-comments"]
        subprocess.run([*command, str(wav_path), str(target)], check=True)


def make(out: Path) -> dict[str, object]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    _encode(_chime(), 24000, out / "chime.opus")
    languages: dict[str, object] = {}
    for lang, (voice, texts) in PHRASES.items():
        clips: dict[str, str] = {}
        for name, text in texts.items():
            pcm, rate = _spoken(voice, text)
            _encode(pcm, rate, out / lang / f"{name}.opus")
            clips[name] = f"{lang}/{name}.opus"
        for letter in LETTERS:
            pcm, rate = _spoken(LETTER_VOICES[lang], letter)
            _encode(pcm, rate, out / lang / f"{letter}.opus")
            clips[letter] = f"{lang}/{letter}.opus"
        languages[lang] = {"numbers": NUMBER_READERS[lang], "call": CALLS[lang], "clips": clips}
    manifest = {"name": "default", "chime": "chime.opus", "repeat": 2, "languages": languages}
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return manifest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args()
    for tool in ("espeak-ng", "opusenc"):
        if shutil.which(tool) is None:
            print(f"make_voice_pack: {tool} is not installed (apt-get install espeak-ng opus-tools)",
                  file=sys.stderr)
            return 2
    make(args.out)
    size = sum(f.stat().st_size for f in args.out.rglob("*") if f.is_file())
    clips = sum(1 for _ in args.out.rglob("*.opus"))
    print(f"voice pack in {args.out}: {clips} clips, {size / 1024:.0f} KiB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
