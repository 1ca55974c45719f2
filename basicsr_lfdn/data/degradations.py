"""Synthetic degradations for training from clean images only: camera-shake blur + sensor noise, rain.

All functions take and return H×W×3 float32 images in [0, 1] (any channel order) and draw every
random number from the ``numpy.random.Generator`` they are given, so one seed gives one result:
:func:`rng_for` derives the generator of a dataset index from a seed.

* Blur: a camera path in the model of Boracchi & Foi (2012: constant speed, Gaussian jitter, a pull
  back to the start, rare jerks) is integrated over a random exposure into a sub-pixel kernel, the
  image is convolved with it, Poisson-Gaussian sensor noise (shot noise grows with brightness, read
  noise does not) is added, and at times the result is saved as JPEG.
* Rain: one or more streak layers; each scatters drops with a random density, smears them along a
  line of random length and angle, softens the streak width and is screen-blended onto the image
  with a random brightness. Heavy rain adds the veil of Yang et al. (CVPR 2017, Eq. 2):
  ``O = α (B + Σ S_t) + (1 − α) A`` with transmission α and atmospheric light A.
* Real rain layers: ``input − target`` of real rainy/clean pairs (e.g. RainTrainH, whose clean
  images are BSDS photos) put onto other clean photos, mixed with the synthetic streaks at the rate
  ``real_layer_probability``: the renderer of a benchmark's own training set, not an imitation.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import cv2
import numpy as np


@dataclass(frozen=True)
class BlurConfig:
    """Ranges of the camera-shake blur; each image draws its values from them.

    Args:
        kernel_size: largest odd side of a blur kernel (each kernel is as small as its path allows).
        length_range: blur size in pixels (kernel support diameter).
        length_sampling: 'uniform' over ``length_range``, or 'log' (log-uniform: as many kernels
            of 4-8 px as of 32-64 px, so small everyday shake is not swamped by rare large blur).
        shake_range: Boracchi & Foi's anxiety, 0 = smooth sweep, 1 = jittery path with jerks.
        exposure_range: fraction of the camera path the shutter integrates.
        read_noise_range: standard deviation of signal-independent noise.
        shot_noise_range: scale of signal-dependent noise (variance = scale * intensity).
        jpeg_probability: share of images saved as JPEG after blur and noise (as phones do).
        jpeg_quality_range: JPEG quality, drawn as an integer from this range (inclusive).
        blur_probability: share of images blurred; the rest get only noise (and JPEG), so the
            network also sees sharp photos and learns to leave them alone.
    """

    kernel_size: int = 31
    length_range: tuple[float, float] = (5.0, 25.0)
    length_sampling: str = 'uniform'
    shake_range: tuple[float, float] = (0.0, 1.0)
    exposure_range: tuple[float, float] = (1.0, 1.0)
    read_noise_range: tuple[float, float] = (0.0, 0.01)
    shot_noise_range: tuple[float, float] = (0.0, 0.0005)
    jpeg_probability: float = 0.0
    jpeg_quality_range: tuple[int, int] = (60, 95)
    blur_probability: float = 1.0


@dataclass(frozen=True)
class RainConfig:
    """Ranges of the rain streak layers.

    Args:
        layers_range: number of streak layers (inclusive), e.g. Rain100H mixes several directions.
        angle_range: streak angle from vertical in degrees, shared by all layers up to ``angle_jitter``.
        angle_jitter: per-layer deviation from the image's angle in degrees.
        density_range: fraction of pixels that start a streak.
        length_range: streak length in pixels.
        width_range: Gaussian sigma across the streak in pixels.
        brightness_range: peak intensity added by a streak.
        veil_probability: share of images that also get the rain veil (accumulation) of Yang et al.
        transmission_range: α of the veil, 1 = no veil.
        atmosphere_range: grey level of the atmospheric light A the veil blends towards.
        real_layer_probability: share of images that get real rain layers (:func:`add_real_rain`)
            instead of synthetic streaks; needs layers (``rain_layers`` of the dataset).
        layer_gain_range: factor on a real layer's intensity (lighter or heavier than recorded).
        second_layer_probability: share of real-layer images that get a second layer on top.
        rain_free_probability: share of images left without rain (input = target), so the network
            also sees photos without rain and learns to leave them alone (bright skies are no veil).
    """

    layers_range: tuple[int, int] = (1, 3)
    angle_range: tuple[float, float] = (-30.0, 30.0)
    angle_jitter: float = 8.0
    density_range: tuple[float, float] = (0.001, 0.006)
    length_range: tuple[float, float] = (10.0, 35.0)
    width_range: tuple[float, float] = (0.3, 1.0)
    brightness_range: tuple[float, float] = (0.4, 0.8)
    veil_probability: float = 0.0
    transmission_range: tuple[float, float] = (0.7, 1.0)
    atmosphere_range: tuple[float, float] = (0.7, 1.0)
    real_layer_probability: float = 0.0
    layer_gain_range: tuple[float, float] = (0.8, 1.2)
    second_layer_probability: float = 0.0
    rain_free_probability: float = 0.0


def rng_for(seed: int | None, index: int) -> np.random.Generator:
    """Generator for one dataset item: fixed by (seed, index) when a seed is given, fresh otherwise."""
    return np.random.default_rng(None if seed is None else [seed, index])


def config_from_dict(kind: str, options: dict[str, Any] | None) -> BlurConfig | RainConfig:
    """Build the config of ``kind`` ('blur' or 'rain') from an option dict, rejecting unknown keys."""
    config_class = {'blur': BlurConfig, 'rain': RainConfig}.get(kind)
    if config_class is None:
        raise ValueError(f"degradation must be 'blur' or 'rain', got {kind!r}")
    options = dict(options or {})
    known = {field.name for field in fields(config_class)}
    unknown = set(options) - known
    if unknown:
        raise ValueError(f'unknown {kind} degradation options {sorted(unknown)}; known: {sorted(known)}')
    converted = {key: tuple(value) if isinstance(value, list) else value for key, value in options.items()}
    return config_class(**converted)


def shake_trajectory(rng: np.random.Generator, shake: float, samples: int = 256) -> np.ndarray:
    """A camera path in the model of Boracchi & Foi (IEEE TIP 2012, Sec. II): a particle at constant speed.

    At every step the velocity is nudged by Gaussian jitter and by a pull back towards the start
    (the hand correcting itself); rarely an impulsive jerk turns it round. ``shake`` (0..1) scales
    all three, so 0 gives a straight sweep and 1 a tangled path. The jitter strength, pull and jerk
    rate are drawn per path, as in the paper, so equal ``shake`` still gives varied paths.

    Args:
        rng: random source.
        shake: 0..1, the paper's "anxiety".
        samples: number of positions along the path.

    Returns:
        ``samples`` complex positions (x + iy), one unit of path length apart.
    """
    jitter = rng.uniform(0.0, 0.5) * shake
    pull = rng.uniform(0.0, 0.05) * shake / samples
    jerk_rate = rng.uniform(0.0, 0.02) * shake
    velocity = np.exp(1j * rng.uniform(0, 2 * np.pi))
    positions = np.empty(samples, np.complex128)
    positions[0] = 0
    for step in range(1, samples):
        nudge = jitter * complex(rng.normal(), rng.normal()) - pull * positions[step - 1]
        if rng.random() < jerk_rate:
            nudge -= 2 * velocity * np.exp(1j * rng.uniform(-0.5, 0.5))
        velocity += nudge
        velocity /= max(abs(velocity), 1e-9)
        positions[step] = positions[step - 1] + velocity
    return positions


def trajectory_kernel(path: np.ndarray, extent: float, max_size: int) -> np.ndarray:
    """Integrate a camera path over the exposure into a blur kernel (sub-pixel, bilinear splatting).

    The path is scaled so that its larger side spans ``extent`` pixels and centred on its centre of
    mass: a kernel off its centre would shift the blurred image against the sharp target and teach
    the network a translation instead of deblurring.

    Args:
        path: complex positions of the path during the exposure (see :func:`shake_trajectory`).
        extent: size of the blur in pixels (the kernel's support diameter).
        max_size: largest odd kernel side allowed; the path shrinks to fit if needed.

    Returns:
        K×K float32 kernel (K odd, the smallest that holds the path, at most ``max_size``), summing to 1.
    """
    if max_size % 2 == 0 or max_size < 3:
        raise ValueError(f'kernel_size must be odd and >= 3, got {max_size}')
    points = np.asarray(path, np.complex128)
    span = max(np.ptp(points.real), np.ptp(points.imag), 1e-6)
    points = (points - points.mean()) * (extent / span)
    reach = max(np.abs(points.real).max(), np.abs(points.imag).max())
    size = min(max_size, 2 * int(np.ceil(reach)) + 3)
    if 2 * reach + 3 > size:
        points *= (size - 3) / (2 * reach)
    center = size // 2
    x, y = points.real + center, points.imag + center
    x0, y0 = np.floor(x).astype(int), np.floor(y).astype(int)
    fx, fy = x - x0, y - y0
    kernel = np.zeros((size, size), np.float64)
    for dx, dy, weight in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
        np.add.at(kernel, (y0 + dy, x0 + dx), weight)
    return (kernel / kernel.sum()).astype(np.float32)


def camera_shake_kernel(
    rng: np.random.Generator, kernel_size: int, length: float, shake: float, exposure: float = 1.0
) -> np.ndarray:
    """A random camera-shake kernel: :func:`shake_trajectory` integrated over ``exposure`` of the path.

    Args:
        rng: random source.
        kernel_size: largest odd kernel side.
        length: blur size in pixels (support diameter, clipped to ``kernel_size - 3``).
        shake: 0..1, see :func:`shake_trajectory`.
        exposure: fraction (0, 1] of the path the shutter integrates (Boracchi & Foi's exposure time).

    Returns:
        K×K float32 kernel, non-negative, summing to 1, K ≤ ``kernel_size``.
    """
    if not 0 < exposure <= 1:
        raise ValueError(f'exposure must be in (0, 1], got {exposure}')
    path = shake_trajectory(rng, shake)
    used = max(2, int(np.ceil(exposure * len(path))))
    return trajectory_kernel(path[:used], length, kernel_size)


def add_sensor_noise(img: np.ndarray, rng: np.random.Generator, read_sigma: float, shot_scale: float) -> np.ndarray:
    """Poisson-Gaussian noise approximated as Gaussian with variance ``shot_scale * img + read_sigma²``."""
    std = np.sqrt(np.clip(img, 0, 1) * shot_scale + read_sigma**2)
    return np.clip(img + std * rng.standard_normal(img.shape, dtype=np.float32), 0, 1).astype(np.float32)


def blur_size(rng: np.random.Generator, config: BlurConfig) -> float:
    """One blur size in pixels from ``length_range``, uniform or log-uniform (``length_sampling``)."""
    low, high = config.length_range
    if config.length_sampling == 'uniform':
        return float(rng.uniform(low, high))
    if config.length_sampling == 'log':
        if low <= 0:
            raise ValueError(f'log length_sampling needs length_range > 0, got {config.length_range}')
        return float(np.exp(rng.uniform(np.log(low), np.log(high))))
    raise ValueError(f"length_sampling must be 'uniform' or 'log', got {config.length_sampling!r}")


def jpeg_roundtrip(img: np.ndarray, quality: int) -> np.ndarray:
    """``img`` (H×W×3 float32 [0, 1], BGR) saved as 8-bit JPEG of ``quality`` and read back."""
    ok, encoded = cv2.imencode(
        '.jpg', np.round(np.clip(img, 0, 1) * 255).astype(np.uint8), [cv2.IMWRITE_JPEG_QUALITY, quality]
    )
    if not ok:
        raise RuntimeError('OpenCV could not encode a JPEG')
    return cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED).astype(np.float32) / 255.0


def blur_and_noise(img: np.ndarray, rng: np.random.Generator, config: BlurConfig | None = None) -> np.ndarray:
    """Camera-shake blur (on ``blur_probability`` of images), sensor noise, then JPEG at times.

    H×W×C float32 [0, 1] in and out. The kernel is drawn either way, so a seed gives the same
    noise whether or not an image is blurred.
    """
    config = config or BlurConfig()
    kernel = camera_shake_kernel(
        rng,
        config.kernel_size,
        blur_size(rng, config),
        rng.uniform(*config.shake_range),
        rng.uniform(*config.exposure_range),
    )
    blurred = img.astype(np.float32)
    # Drawn only when some images stay sharp, so all-blur configs keep their seeded inputs.
    if config.blur_probability >= 1 or rng.random() < config.blur_probability:
        blurred = cv2.filter2D(blurred, -1, kernel, borderType=cv2.BORDER_REFLECT_101)
    noisy = add_sensor_noise(blurred, rng, rng.uniform(*config.read_noise_range), rng.uniform(*config.shot_noise_range))
    if rng.random() < config.jpeg_probability:
        low, high = config.jpeg_quality_range
        return jpeg_roundtrip(noisy, int(rng.integers(low, high + 1)))
    return noisy


def streak_kernel(length: float, angle_deg: float, width: float) -> np.ndarray:
    """A soft line of ``length`` pixels at ``angle_deg`` from vertical, peak value 1 (float32 K×K)."""
    size = int(np.ceil(length)) | 1
    size += 2 * int(np.ceil(3 * width))
    center = (size - 1) / 2
    half = length / 2
    angle = np.deg2rad(angle_deg)
    dx, dy = np.sin(angle) * half, np.cos(angle) * half
    kernel = np.zeros((size, size), np.float32)
    shift = 4
    scale = 1 << shift
    cv2.line(
        kernel,
        (round((center - dx) * scale), round((center - dy) * scale)),
        (round((center + dx) * scale), round((center + dy) * scale)),
        1.0,
        thickness=1,
        lineType=cv2.LINE_AA,
        shift=shift,
    )
    kernel = cv2.GaussianBlur(kernel, (0, 0), width)
    return kernel / max(float(kernel.max()), 1e-6)


def rain_layer(
    height: int, width: int, rng: np.random.Generator, angle: float, density: float, length: float, streak_width: float
) -> np.ndarray:
    """One streak layer, H×W float32 in [0, 1]: random drops smeared along the streak direction."""
    drops = (rng.random((height, width)) < density).astype(np.float32)
    drops *= rng.uniform(0.5, 1.0, size=(height, width)).astype(np.float32)
    streaks = cv2.filter2D(drops, -1, streak_kernel(length, angle, streak_width), borderType=cv2.BORDER_CONSTANT)
    return np.clip(streaks, 0, 1)


def rain_layer_from_pair(rainy: np.ndarray, clean: np.ndarray) -> np.ndarray:
    """The rain of a real pair, ``rainy − clean`` (H×W×C float32, signed: a veil can darken)."""
    if rainy.shape != clean.shape:
        raise ValueError(f'rainy image is {rainy.shape} but clean image is {clean.shape}')
    return (rainy.astype(np.float32) - clean.astype(np.float32)).astype(np.float16)


def _layer_window(layer: np.ndarray, height: int, width: int, rng: np.random.Generator) -> np.ndarray:
    """A random H×W window of ``layer``, randomly mirrored left-right (rain falls the same way mirrored).

    A layer smaller than the window is repeated (rain is a stationary texture), never rescaled:
    rescaling would change the streak width the network learns.
    """
    reps = (-(-height // layer.shape[0]), -(-width // layer.shape[1])) + (1,) * (layer.ndim - 2)
    if reps[0] > 1 or reps[1] > 1:
        layer = np.tile(layer, reps)
    top = int(rng.integers(0, layer.shape[0] - height + 1))
    left = int(rng.integers(0, layer.shape[1] - width + 1))
    window = layer[top : top + height, left : left + width].astype(np.float32)
    return window[:, ::-1] if rng.random() < 0.5 else window


def add_real_rain(
    img: np.ndarray, rng: np.random.Generator, layers: list[np.ndarray], config: RainConfig | None = None
) -> np.ndarray:
    """``img + Σ gain · window(layer)`` over one layer (two with ``second_layer_probability``), clipped to [0, 1].

    Args:
        img: H×W×C float32 clean image in [0, 1].
        rng: random source (layer, window, mirror and gain are all drawn from it).
        layers: rain layers from :func:`rain_layer_from_pair`, each at least 1×1×C.
        config: ``layer_gain_range`` and ``second_layer_probability`` are read.

    Returns:
        H×W×C float32 rainy image in [0, 1].
    """
    if not layers:
        raise ValueError('add_real_rain needs at least one rain layer')
    config = config or RainConfig()
    height, width = img.shape[:2]
    count = 2 if rng.random() < config.second_layer_probability else 1
    rainy = img.astype(np.float32).copy()
    for _ in range(count):
        layer = layers[int(rng.integers(len(layers)))]
        rainy += rng.uniform(*config.layer_gain_range) * _layer_window(layer, height, width, rng)
    return np.clip(rainy, 0, 1)


def add_rain(
    img: np.ndarray,
    rng: np.random.Generator,
    config: RainConfig | None = None,
    layers: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Rain on ``img`` (H×W×C float32 [0, 1] in and out).

    With probability ``rain_free_probability``: ``img`` unchanged. Else, with ``layers`` and
    probability ``real_layer_probability``: real layers (:func:`add_real_rain`). Otherwise:
    screen-blend 1..N synthetic streak layers, then the veil if drawn.
    """
    config = config or RainConfig()
    if config.real_layer_probability > 0 and not layers:
        raise ValueError('real_layer_probability > 0 needs rain layers (dataset option rain_layers)')
    # Drawn only when some images stay dry, so configs without dry images keep their seeded inputs.
    if config.rain_free_probability > 0 and rng.random() < config.rain_free_probability:
        return img.astype(np.float32)
    if layers and rng.random() < config.real_layer_probability:
        return add_real_rain(img, rng, layers, config)
    height, width = img.shape[:2]
    base_angle = rng.uniform(*config.angle_range)
    rain = np.zeros((height, width), np.float32)
    for _ in range(int(rng.integers(config.layers_range[0], config.layers_range[1] + 1))):
        layer = rain_layer(
            height,
            width,
            rng,
            base_angle + rng.uniform(-config.angle_jitter, config.angle_jitter),
            rng.uniform(*config.density_range),
            rng.uniform(*config.length_range),
            rng.uniform(*config.width_range),
        )
        rain = 1 - (1 - rain) * (1 - layer * rng.uniform(*config.brightness_range))
    rain = rain[..., None] if img.ndim == 3 else rain
    rainy = 1 - (1 - img.astype(np.float32)) * (1 - rain)
    if rng.random() < config.veil_probability:
        rainy = add_veil(rainy, rng.uniform(*config.transmission_range), rng.uniform(*config.atmosphere_range))
    return rainy.astype(np.float32)


def add_veil(img: np.ndarray, transmission: float, atmosphere: float) -> np.ndarray:
    """Rain accumulation, Yang et al. CVPR 2017 Eq. 2: ``α · img + (1 − α) · A`` (H×W×C float32 [0, 1])."""
    return (transmission * img + (1 - transmission) * atmosphere).astype(np.float32)


def degrade(
    img: np.ndarray,
    kind: str,
    rng: np.random.Generator,
    config: BlurConfig | RainConfig | None = None,
    rain_layers: list[np.ndarray] | None = None,
) -> np.ndarray:
    """Apply the ``kind`` degradation ('blur' = shake blur + noise, 'rain' = streaks or real layers)."""
    config = config or config_from_dict(kind, None)
    if kind == 'blur' and isinstance(config, BlurConfig):
        return blur_and_noise(img, rng, config)
    if kind == 'rain' and isinstance(config, RainConfig):
        return add_rain(img, rng, config, rain_layers)
    raise ValueError(f'degradation {kind!r} does not match the config {type(config).__name__}')
