"""Face finding for vertical layouts and covers, with a model that ships in a package.

The detector is scikit-image's LBP frontal-face cascade
(``skimage.data.lbp_frontal_face_cascade_filename()``, OpenCV's
``lbpcascade_frontalface`` XML shipped inside the scikit-image wheel) run by
:class:`skimage.feature.Cascade`.  Nothing is downloaded at run time, and no second
package providing ``cv2`` is needed (OpenCV 5 wheels no longer ship Haar cascades and
have no ``CascadeClassifier``; YuNet needs an ONNX file no wheel ships; mediapipe
depends on ``opencv-contrib-python``).  scikit-image is the ``publish`` extra
(``pip install 'stream-highlights[publish]'``); without it, layouts fall back to motion and
:func:`faces_available` is False.

Detection runs on a few small grey frames per clip, never on every frame.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ..errors import ExportError

__all__ = ["faces_available", "detect_faces", "INSTALL_HINT"]

INSTALL_HINT = "pip install 'stream-highlights[publish]'"
#: Faces smaller than this share of the analysed frame's height are ignored.
MIN_FACE_FRAC = 0.07


@functools.lru_cache(maxsize=1)
def _cascade() -> Any:
    try:
        from skimage import data
        from skimage.feature import Cascade
    except ImportError:
        return None
    return Cascade(data.lbp_frontal_face_cascade_filename())  # type: ignore[no-untyped-call]


def faces_available() -> bool:
    """Whether the face detector (scikit-image, the ``publish`` extra) is installed."""
    return _cascade() is not None


def detect_faces(gray: NDArray[np.uint8], *, min_frac: float = MIN_FACE_FRAC,
                 max_frac: float = 0.9, min_neighbours: int = 3) -> NDArray[np.float64]:
    """Find frontal faces in a grey picture.

    Parameters
    ----------
    gray : ndarray of uint8, shape (h, w)
        The picture (a small analysis frame: 240-400 px high is plenty).
    min_frac, max_frac : float
        Smallest and largest face, as a share of ``h``.
    min_neighbours : int, default 3
        Overlapping detections a face needs (higher: fewer false faces).

    Returns
    -------
    ndarray of float, shape (n, 4)
        One row ``(x, y, w, h)`` per face in pixels, largest first.

    Raises
    ------
    ExportError
        scikit-image is not installed (the message names the extra).
    """
    det = _cascade()
    if det is None:
        raise ExportError(f"Face finding needs scikit-image: {INSTALL_HINT}.")
    h = gray.shape[0]
    lo = max(int(h * min_frac), 20)
    hi = max(int(h * max_frac), lo + 1)
    found = det.detect_multi_scale(img=np.ascontiguousarray(gray), scale_factor=1.2,
                                   step_ratio=1, min_size=(lo, lo), max_size=(hi, hi),
                                   min_neighbor_number=min_neighbours)
    if not found:
        return np.zeros((0, 4))
    boxes = np.array([[f["c"], f["r"], f["width"], f["height"]] for f in found], float)
    return boxes[np.argsort(-boxes[:, 2] * boxes[:, 3])]
