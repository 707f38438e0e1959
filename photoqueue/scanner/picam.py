"""The Raspberry Pi camera through picamera2 (imported here only, when the camera opens).

Two streams: ``lores`` (YUV420 at ``settings.resolution``) whose Y plane is the gray frame decoded
on every pass, and ``main`` (YUV420 at ``settings.hires_resolution``) captured only when the pipeline
retries a region it saw but could not read. A YUV420 buffer (``capture_buffer``) is flat: the Y
plane is its first ``height`` rows of ``stride`` bytes (the stream configuration's stride, often
wider than the image), each cut to ``width``; U and V follow and are not needed.
Camera Module 3 focus comes from the settings: continuous autofocus, or a fixed lens position.
"""

from __future__ import annotations

import contextlib

import numpy as np

from photoqueue.scanner.settings import CameraError, ScannerSettings

# libcamera's AfMode values (controls.AfModeEnum): Manual, Auto, Continuous.
AF_MANUAL, AF_CONTINUOUS = 0, 2


def y_plane(buffer: np.ndarray, size: tuple[int, int], stride: int) -> np.ndarray:
    """The Y plane (height x width) of a flat YUV420 buffer whose rows are ``stride`` bytes."""
    width, height = size
    flat = np.asarray(buffer).reshape(-1)
    if stride < width or flat.size < stride * height:
        raise CameraError(f"YUV420 buffer of {flat.size} bytes (stride {stride}) has no {width}x{height} Y plane")
    return np.ascontiguousarray(flat[:stride * height].reshape(height, stride)[:, :width])


class Picamera2Source:
    name = "picamera2"

    def __init__(self, settings: ScannerSettings | None = None, *, module=None, camera_num: int = 0):
        self.settings = settings or ScannerSettings(source="picamera2")
        self._module = module  # tests pass a fake picamera2 module
        self.camera_num = camera_num
        self._cam = None
        self._streams: dict[str, tuple[tuple[int, int], int]] = {}  # name: (size, stride)

    def open(self) -> None:
        module = self._module
        if module is None:
            try:
                import picamera2 as module
            except ImportError as exc:
                raise CameraError("picamera2 is not installed (apt install python3-picamera2)") from exc
            except Exception as exc:  # e.g. simplejpeg's ValueError under a numpy 2 that hides apt's 1.x
                raise CameraError(f"picamera2 does not import ({type(exc).__name__}: {exc}); a pip numpy "
                                  "probably hides apt's: reinstall with systemd/install-pi.sh") from exc
        try:
            cam = module.Picamera2(self.camera_num)
        except Exception as exc:  # libcamera reports a missing camera in many ways
            raise CameraError(f"cannot open the Pi camera: {exc}") from exc
        try:
            config = cam.create_video_configuration(
                main={"size": tuple(self.settings.hires_resolution), "format": "YUV420"},
                lores={"size": tuple(self.settings.resolution), "format": "YUV420"},
                controls={"FrameRate": float(self.settings.fps)},
                buffer_count=4,
            )
            cam.configure(config)
            for stream in ("lores", "main"):
                conf = cam.stream_configuration(stream)
                self._streams[stream] = (tuple(conf["size"]), int(conf["stride"]))
            cam.start()
            controls = self.focus_controls()
            if controls:
                cam.set_controls(controls)
        except Exception as exc:
            with contextlib.suppress(Exception):
                cam.close()
            raise CameraError(f"cannot start the Pi camera: {exc}") from exc
        self._cam = cam

    def focus_controls(self) -> dict:
        """The focus controls the settings ask for (Camera Module 3; empty for a fixed-focus module)."""
        mode = self.settings.autofocus
        if mode == "continuous":
            return {"AfMode": AF_CONTINUOUS}
        if mode == "manual":
            return {"AfMode": AF_MANUAL, "LensPosition": float(self.settings.lens_position)}
        return {}

    def read(self) -> np.ndarray | None:
        return self._capture("lores")

    def read_hires(self) -> np.ndarray | None:
        return self._capture("main")

    def _capture(self, stream: str) -> np.ndarray:
        if self._cam is None:
            raise CameraError("Pi camera read before open")
        try:
            buffer = self._cam.capture_buffer(stream)
        except Exception as exc:
            raise CameraError(f"Pi camera capture failed: {exc}") from exc
        size, stride = self._streams[stream]
        return y_plane(buffer, size, stride)

    def close(self) -> None:
        cam, self._cam = self._cam, None
        if cam is not None:
            try:
                cam.stop()
            finally:
                cam.close()
