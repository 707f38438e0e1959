"""Sounds: a chime on every call, the spoken call as a WAV, silence (never an error) without a sound card."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import numpy as np
import pytest

from photoqueue.display import DisplaySettings, Sounds
from photoqueue.display._pygame import pygame
from photoqueue.display.sound import CHIME_NOTES, RATE, chime_wave, wav_seconds, write_wav

pytestmark = pytest.mark.pi  # also on the Pi's Python (make test-pi): its libraries are apt's older ones


def test_chime_is_two_notes():
    wave = chime_wave(RATE)
    assert wave.dtype == np.float32 and 1.0 < len(wave) / RATE < 2.0
    assert 0.5 < np.max(np.abs(wave)) <= 1.0
    for (freq, start), end in zip(CHIME_NOTES, (CHIME_NOTES[1][1], 1.0), strict=True):
        part = wave[int(start * RATE) : int(end * RATE)]
        spectrum = np.abs(np.fft.rfft(part))
        peak = np.fft.rfftfreq(len(part), 1 / RATE)[np.argmax(spectrum)]
        assert abs(peak - freq) < 10


def test_chime_wav_roundtrip(tmp_path):
    path = write_wav(tmp_path / "chime.wav", chime_wave(RATE))
    assert abs(wav_seconds(path) - len(chime_wave(RATE)) / RATE) < 0.01


def test_call_chimes_and_speaks(tmp_path):
    settings = DisplaySettings(speech=True, sound_cache_dir=str(tmp_path))
    with Sounds(settings) as sounds:
        future = sounds.call(17)
        # the caller never waits: it gets a future back while espeak-ng is still speaking
        assert not future.done()
        result = future.result(timeout=30)
        assert sounds.wait_idle(timeout=30)
    assert result.played, "the dummy audio driver plays (silently)"
    assert result.chime is not None and len(result.chime) > RATE
    assert result.speech_wav and result.speech_wav.parent == tmp_path
    assert result.speech_wav.stat().st_size > 20_000
    assert wav_seconds(result.speech_wav) > 1.0


def test_speech_is_cached_per_number(tmp_path):
    sounds = Sounds(DisplaySettings(speech=True, sound_cache_dir=str(tmp_path)))
    a, b, c = sounds.speech_wav(5), sounds.speech_wav(5), sounds.speech_wav(123)
    assert a == b and a != c and a.is_file() and c.is_file()
    assert wav_seconds(c) > wav_seconds(a)  # 一百二十三 is longer than 五


def test_no_audio_device_is_silent_and_harmless(monkeypatch, caplog):
    def no_device(*_args, **_kwargs):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(pygame.mixer, "get_init", lambda: None)
    monkeypatch.setattr(pygame.mixer, "init", no_device)
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        with Sounds(DisplaySettings()) as sounds:
            results = [sounds.call(n).result(timeout=10) for n in (1, 2, 3)]
    assert [r.played for r in results] == [False] * 3
    assert all(r.chime is not None for r in results)
    assert caplog.text.count("no audio device") == 1  # logged once, then silent


def test_no_audio_driver_in_a_fresh_process():
    code = (
        "from photoqueue.display import Sounds, DisplaySettings\n"
        "with Sounds(DisplaySettings()) as s:\n"
        "    r = s.call(9).result(timeout=20)\n"
        "print('played', r.played)\n"
    )
    env = dict(os.environ, SDL_AUDIODRIVER="no-such-driver")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "played False" in done.stdout
    assert "no audio device" in done.stderr and "Traceback" not in done.stderr


def test_without_espeak_calls_still_chime(monkeypatch, caplog, tmp_path):
    monkeypatch.setattr("photoqueue.display.sound.shutil.which", lambda _name: None)
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        with Sounds(DisplaySettings(speech=True, sound_cache_dir=str(tmp_path))) as sounds:
            result = sounds.call(4).result(timeout=10)
    assert result.speech_wav is None and result.chime is not None
    assert "espeak-ng is not installed" in caplog.text


def test_unknown_voice_falls_back_to_mandarin(caplog, tmp_path):
    # espeak-ng itself would quietly speak an unknown voice in English.
    with caplog.at_level(logging.WARNING, logger="photoqueue.display"):
        sounds = Sounds(DisplaySettings(speech=True, voice="no-such-voice", sound_cache_dir=str(tmp_path)))
        wav = sounds.speech_wav(4)
    assert "no voice 'no-such-voice'; using cmn" in caplog.text
    assert wav and wav_seconds(wav) > 1.0


@pytest.mark.parametrize("volume", [0.0, 1.0])
def test_volume_applies(volume):
    with Sounds(DisplaySettings(volume=volume)) as sounds:
        assert sounds.call(1).result(timeout=10).played
        assert abs(sounds._chime().get_volume() - volume) < 0.01
