"""Sounds: a chime on each call, and optionally the call spoken in Mandarin, offline.

The chime is synthesized with numpy at run time (a two-note "ding-dong"); nothing is downloaded or
shipped. The spoken call is rendered by espeak-ng into a WAV file (kept in a cache folder, one per
number) and played after the chime through pygame.mixer on a channel of its own, so calls never talk
over each other. Everything runs on a worker thread: :meth:`Sounds.call` returns at once. Where there is
no audio device (or no espeak-ng) it logs once and stays silent; it never raises into the queue.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import tempfile
import threading
import time
import wave
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from photoqueue.display.settings import DisplaySettings, checked

log = logging.getLogger(__name__)

RATE = 22050
CHIME_NOTES = ((784.0, 0.0), (659.25, 0.45))  # G5 then E5, the classic two-note call
CHIME_SECONDS = 1.4
CALL_CHANNEL = 0
FALLBACK_VOICES = ("cmn-latn-pinyin", "cmn", "zh")
MAX_WAIT_FOR_CHANNEL_S = 15.0


def chime_wave(rate: int = RATE) -> np.ndarray:
    """The chime as float32 samples in [-1, 1] (mono): two bell-like notes with a soft attack."""
    n = int(CHIME_SECONDS * rate)
    t = np.arange(n, dtype=np.float64) / rate
    out = np.zeros(n)
    for freq, start in CHIME_NOTES:
        s = t - start
        on = s >= 0
        s = np.where(on, s, 0.0)
        envelope = np.where(on, np.exp(-3.0 * s) * np.minimum(1.0, s / 0.006), 0.0)
        tone = (
            np.sin(2 * np.pi * freq * s)
            + 0.35 * np.sin(4 * np.pi * freq * s)
            + 0.12 * np.sin(6 * np.pi * freq * s)
        )
        out += envelope * tone
    fade = np.minimum(1.0, (n - np.arange(n)) / (0.05 * rate))  # no click at the end
    out *= fade
    return (0.9 * out / np.max(np.abs(out))).astype(np.float32)


def write_wav(path: str | Path, samples: np.ndarray, rate: int = RATE) -> Path:
    """Write mono float samples in [-1, 1] as a 16-bit PCM WAV."""
    path = Path(path)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


def wav_seconds(path: str | Path) -> float:
    with wave.open(str(path), "rb") as w:
        return w.getnframes() / float(w.getframerate())


@dataclass(frozen=True)
class CallSound:
    """What one call produced: the chime's samples, the speech WAV (if spoken), and whether it was heard."""

    number: int
    chime: np.ndarray | None
    speech_wav: Path | None
    played: bool


class Sounds:
    """The display's sounds. ``call(17)`` chimes (and speaks, if enabled); it never blocks nor raises."""

    def __init__(self, settings: DisplaySettings | None = None):
        self.settings = checked(settings)
        self.cache_dir = Path(
            self.settings.sound_cache_dir or Path(tempfile.gettempdir()) / "photoqueue-speech"
        )
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hall-sounds")
        self._mixer: bool | None = None  # None: not tried yet
        self._owns_mixer = False
        self._chime_sound = None
        self._warned: set[str] = set()
        self._lock = threading.Lock()
        self._voice: str | None | bool = False  # False: not looked up yet; None: none usable

    def call(self, number: int) -> Future:
        """Chime (and speak) the call of ``number`` on the sound thread; the Future gives a CallSound."""
        return self._executor.submit(self._call, number)

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Wait until queued calls have been played out (for a command line that exits after one call)."""
        deadline = time.monotonic() + timeout
        self._executor.submit(lambda: None).result(timeout)
        if not self._mixer:
            return True
        from photoqueue.display._pygame import pygame

        channel = pygame.mixer.Channel(CALL_CHANNEL)
        while channel.get_busy() and time.monotonic() < deadline:
            time.sleep(0.05)
        return not channel.get_busy()

    def start(self) -> Sounds:
        return self  # the audio device opens on the first call

    def stop(self) -> None:
        self.close()

    def close(self) -> None:
        """Finish queued calls and release the audio device."""
        self._executor.shutdown(wait=True)
        if self._owns_mixer:
            from photoqueue.display._pygame import pygame

            pygame.mixer.quit()
            self._owns_mixer = False
            self._mixer = None

    def __enter__(self) -> Sounds:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- the sound thread --------------------------------------------------------------------------------

    def _call(self, number: int) -> CallSound:
        try:
            chime = chime_wave(RATE) if self.settings.chime else None
            speech = self.speech_wav(number) if self.settings.speech else None
            played = self._play(chime is not None, speech)
            return CallSound(number, chime, speech, played)
        except Exception:
            log.exception("sound: the call of %s failed; carrying on silently", number)
            return CallSound(number, None, None, False)

    def speech_wav(self, number: int) -> Path | None:
        """Render the spoken call of ``number`` to a WAV (cached); None without espeak-ng."""
        s = self.settings
        text = s.speech_text.format(number=number)
        exe = shutil.which("espeak-ng")
        if not exe:
            self._warn_once(
                "espeak", "sound: espeak-ng is not installed (apt install espeak-ng); calls are not spoken"
            )
            return None
        voice = self._find_voice(exe)
        if voice is None:
            return None
        digest = hashlib.sha1(f"{voice}|{s.speech_rate}|{text}".encode()).hexdigest()[:16]
        path = self.cache_dir / f"call-{number}-{digest}.wav"
        if path.is_file() and path.stat().st_size > 1000:
            return path
        self.cache_dir.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
        cmd = [exe, "-v", voice, "-s", str(s.speech_rate), "-w", str(tmp), text]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=20)
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._warn_once("espeak-run", f"sound: espeak-ng failed ({exc}); calls are not spoken")
            return None
        if done.returncode != 0 or not tmp.is_file() or tmp.stat().st_size <= 1000:
            tmp.unlink(missing_ok=True)
            why = (done.stderr or "").strip() or f"exit status {done.returncode}"
            self._warn_once("espeak-run", f"sound: espeak-ng -v {voice} failed ({why}); calls are not spoken")
            return None
        os.replace(tmp, path)
        return path

    def _find_voice(self, exe: str) -> str | None:
        """The configured voice if espeak-ng has it, else a Mandarin one it has (espeak-ng itself would
        quietly fall back to English for an unknown voice); None when it has none."""
        if self._voice is not False:
            return self._voice
        try:
            listing = subprocess.run([exe, "--voices"], capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired) as exc:
            self._warn_once("espeak-run", f"sound: espeak-ng failed ({exc}); calls are not spoken")
            self._voice = None
            return None
        known: set[str] = set()
        for line in listing.splitlines()[1:]:
            cols = line.split()
            if len(cols) >= 5:  # Pty Language Age/Gender VoiceName File ...
                known.update(
                    {cols[1].lower(), cols[3].lower(), cols[4].lower(), cols[4].rsplit("/", 1)[-1].lower()}
                )
        wanted = self.settings.voice
        if wanted.lower() in known:
            self._voice = wanted
        else:
            self._voice = next((v for v in FALLBACK_VOICES if v in known), None)
            instead = f"using {self._voice}" if self._voice else "calls are not spoken"
            self._warn_once("voice", f"sound: espeak-ng has no voice {wanted!r}; {instead}")
        return self._voice

    def _mixer_ready(self) -> bool:
        if self._mixer is None:
            from photoqueue.display._pygame import pygame

            try:
                if not pygame.mixer.get_init():
                    pygame.mixer.init(frequency=RATE, size=-16, channels=2, buffer=1024)
                    self._owns_mixer = True
                pygame.mixer.set_reserved(CALL_CHANNEL + 1)
                self._mixer = True
            # a pygame built without its mixer module raises a RuntimeError subclass on first use
            except (pygame.error, OSError, RuntimeError) as exc:
                self._warn_once("mixer", f"sound: no audio device ({exc}); calls are silent")
                self._mixer = False
        return self._mixer

    def _play(self, chime: bool, speech: Path | None) -> bool:
        if not (chime or speech) or not self._mixer_ready():
            return False
        from photoqueue.display._pygame import pygame

        volume = self.settings.volume
        sounds = []
        if chime:
            sounds.append(self._chime())
        if speech:
            sounds.append(pygame.mixer.Sound(str(speech)))
        channel = pygame.mixer.Channel(CALL_CHANNEL)
        deadline = time.monotonic() + MAX_WAIT_FOR_CHANNEL_S
        while channel.get_busy() and time.monotonic() < deadline:  # the call before is still sounding
            time.sleep(0.05)
        for sound in sounds:
            sound.set_volume(volume)
        channel.play(sounds[0])
        if len(sounds) > 1:
            channel.queue(sounds[1])
        return True

    def _chime(self):
        if self._chime_sound is None:
            from photoqueue.display._pygame import pygame

            freq, _size, channels = pygame.mixer.get_init()
            pcm = (chime_wave(freq) * 32767).astype(np.int16)
            if channels > 1:
                pcm = np.repeat(pcm[:, None], channels, axis=1)
            self._chime_sound = pygame.sndarray.make_sound(np.ascontiguousarray(pcm))
        return self._chime_sound

    def _warn_once(self, key: str, message: str) -> None:
        with self._lock:
            if key in self._warned:
                return
            self._warned.add(key)
        log.warning(message)
