"""Synthesis of one demo patient's CT, contrast-enhanced CT and tumour masks as NumPy arrays.

The anatomy is a coarse pelvis. An elliptical body of subcutaneous fat and muscle contains a
pelvic cavity of bowel, fat and bladder, the iliac vessels, and a bony pelvic ring (sacrum,
iliac wings, acetabula with femoral heads, pubic rami) of cortical shell around marrow. The tumour is
a lobulated ellipsoid whose maximal diameter follows the patient's tumour size, placed by the
Enneking zone. Its texture (heterogeneity, necrotic core, vessels, contrast enhancement) comes
from latent variables correlated with the logarithm of the blood loss, so radiomics features
carry a moderate signal about massive blood loss.

Arrays are indexed ``(z, y, x)`` as SimpleITK returns them, in the LPS frame: x grows towards
the patient's left, y towards posterior and z towards cranial. Every random draw comes from the
generator passed in, so one ``numpy.random.Generator`` state gives one set of arrays.
"""

from dataclasses import dataclass

import numpy as np
from scipy import ndimage

SPACING_MM = (3.5, 3.5, 5.0)
"""Voxel spacing (x, y, z) in mm of every demo volume."""

GRID_XY = (112, 80)
"""In-plane grid (x, y): a field of view of 39.2 cm × 28.0 cm."""

MIN_SLICES = 40
"""Number of 5 mm slices (20 cm) unless a long tumour needs more."""

AIR_HU = -1000
BLOOD_LOSS_REFERENCE_ML = 1500.0
"""Blood loss mapped to latent 0 (the study's overall median)."""

LOG_BLOOD_LOSS_SD = 0.75
"""Scale of ``log(blood loss)`` that maps to one latent unit (about the cohort's spread)."""

# Correlation of each latent variable with the standardised log blood loss. They set the
# strength of the radiomics signal. With these values an L1 logistic model on pyradiomics
# shape, first-order and GLCM features of the demo cohort reaches a validation AUC of 0.74 on
# CT and 0.77 on CTE (benchmarks/demo_signal.py), against 0.69 and 0.71 for tumour size alone.
VASCULARITY_CORRELATION = 0.45
HETEROGENEITY_CORRELATION = 0.35

# Mean plain-CT attenuation (HU) of viable tumour, and the kind of matrix mineralisation.
_TYPE_TISSUE = {
    "chondrosarcoma": (22.0, "chondroid"),
    "osteosarcoma": (55.0, "osteoid"),
    "chordoma": (28.0, None),
    "giant cell tumour": (42.0, None),
    "multiple myeloma": (45.0, None),
    "schwannoma": (30.0, None),
    "neurofibroma": (26.0, None),
    "ewing sarcoma": (40.0, None),
    "metastatic tumour": (40.0, None),
    "other": (36.0, None),
}
TUMOUR_TYPES = tuple(_TYPE_TISSUE)

# Tumour centre (x, y, z) in mm from the grid centre by Enneking zone, for a right-sided
# lesion (x is mirrored for a left-sided one). Zone IV is the sacrum, on the midline.
_ZONE_CENTRE_MM = {
    "I": (95.0, 40.0, 45.0),
    "II": (90.0, 5.0, -5.0),
    "III": (60.0, -45.0, -45.0),
    "IV": (0.0, 75.0, 10.0),
    "multiple": (55.0, 45.0, 5.0),
}
ZONES = tuple(_ZONE_CENTRE_MM)


@dataclass(frozen=True)
class PatientPhantom:
    """Arrays of one demo patient, all of shape ``(n_slices, 80, 112)``.

    Attributes
    ----------
    ct : ndarray of int16
        Plain CT in Hounsfield units.
    cte : ndarray of int16 or None
        Contrast-enhanced CT of the same anatomy, or None when not requested.
    mask : ndarray of uint8
        Primary tumour segmentation, 1 inside the tumour.
    mask_reader2 : ndarray of uint8 or None
        Second reader's segmentation, or None when not requested.
    latents : dict of str to float
        Latent texture variables the arrays were drawn from, for checks and debugging.
    """

    ct: np.ndarray
    cte: np.ndarray | None
    mask: np.ndarray
    mask_reader2: np.ndarray | None
    latents: dict


def synthesise_patient(rng, *, tumour_size_cm, blood_loss_ml, tumour_type, zone, with_cte,
                       with_second_reader):
    """Draw the CT, optional CTE and masks of one patient.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of every random draw.
    tumour_size_cm : float
        Maximal tumour diameter in cm; the mask's maximal 3-D extent follows it.
    blood_loss_ml : float
        Intraoperative blood loss in mL; drives the latent texture variables.
    tumour_type : str
        One of :data:`TUMOUR_TYPES`.
    zone : str
        One of :data:`ZONES`.
    with_cte, with_second_reader : bool
        Whether to draw the contrast-enhanced volume and the second reader's mask.

    Returns
    -------
    PatientPhantom
    """
    latents = _draw_latents(rng, blood_loss_ml, tumour_size_cm)
    centre_mm, semi_axes_mm, rotation = _place_tumour(rng, tumour_size_cm, zone)
    n_slices = _slice_count(centre_mm, semi_axes_mm)
    coords = _grid_coordinates(n_slices)

    anatomy = _draw_anatomy(rng, coords)
    mask, radial = _draw_tumour_mask(rng, coords, centre_mm, semi_axes_mm, rotation)
    _cover_tumour(anatomy, mask)
    tumour = _draw_tumour_tissue(rng, mask, radial, latents, tumour_type)

    ct = _compose(rng, anatomy, mask, tumour, contrast=False)
    cte = _compose(rng, anatomy, mask, tumour, contrast=True) if with_cte else None
    mask_reader2 = _second_reader_mask(rng, mask, ct) if with_second_reader else None
    return PatientPhantom(ct=ct, cte=cte, mask=mask.astype(np.uint8),
                          mask_reader2=mask_reader2, latents=latents)


def _draw_latents(rng, blood_loss_ml, tumour_size_cm):
    z_blood = (np.log(max(blood_loss_ml, 1.0)) - np.log(BLOOD_LOSS_REFERENCE_ML)) / LOG_BLOOD_LOSS_SD
    vascularity = (VASCULARITY_CORRELATION * z_blood
                   + np.sqrt(1 - VASCULARITY_CORRELATION ** 2) * rng.standard_normal())
    heterogeneity = (HETEROGENEITY_CORRELATION * z_blood
                     + np.sqrt(1 - HETEROGENEITY_CORRELATION ** 2) * rng.standard_normal())
    # Large tumours outgrow their supply, so necrosis grows with size as well as heterogeneity.
    necrosis = 0.6 * heterogeneity + 0.04 * (tumour_size_cm - 9.0) + 0.7 * rng.standard_normal()
    return {"vascularity": float(vascularity), "heterogeneity": float(heterogeneity),
            "necrosis": float(necrosis)}


def _place_tumour(rng, tumour_size_cm, zone):
    radius_mm = 5.0 * tumour_size_cm
    # Lobulation pushes the farthest boundary points outwards, so the ellipsoid is shrunk by 8 %.
    # Over the demo cohort the mask's maximal 3-D diameter is then 1.00 ± 0.05 times the size.
    semi_major = radius_mm / 1.08
    # In-plane semi-axes stay below 100 mm so the tumour fits the 28 cm antero-posterior field
    # of view. A tumour longer than 16 cm runs craniocaudally, because slices can be added.
    semi_minor = np.minimum(semi_major * rng.uniform(0.55, 0.9, size=2), 100.0)
    long_axis_cranial = rng.random() < 0.5 or tumour_size_cm > 16.0
    if long_axis_cranial:
        semi_axes = np.array([semi_minor[0], semi_minor[1], semi_major])
    else:
        semi_axes = np.array([semi_major, semi_minor[0], semi_minor[1]])
    rotation = rng.uniform(-0.5, 0.5)

    side = 1.0 if rng.random() < 0.5 else -1.0
    centre = np.array(_ZONE_CENTRE_MM[zone]) * np.array([side, 1.0, 1.0])
    centre = centre + rng.normal(0.0, 8.0, size=3)

    # Keep the in-plane extent inside the field of view with a 4-voxel margin.
    half_fov = np.array(GRID_XY) * np.array(SPACING_MM[:2]) / 2 - 4 * np.array(SPACING_MM[:2])
    in_plane_reach = np.hypot(semi_axes[0], semi_axes[1]) * 1.12
    limit = np.maximum(half_fov - in_plane_reach, 0.0)
    centre[:2] = np.clip(centre[:2], -limit, limit)
    return centre, semi_axes, rotation


def _slice_count(centre_mm, semi_axes_mm):
    reach = abs(centre_mm[2]) + semi_axes_mm[2] * 1.12 + 4 * SPACING_MM[2]
    needed = int(np.ceil(2 * reach / SPACING_MM[2]))
    return max(MIN_SLICES, needed + needed % 2)


def _grid_coordinates(n_slices):
    shape = (n_slices, GRID_XY[1], GRID_XY[0])
    axes = [(np.arange(n) - (n - 1) / 2) * s
            for n, s in zip((GRID_XY[0], GRID_XY[1], n_slices), SPACING_MM)]
    z = axes[2][:, None, None].astype(np.float32)
    y = axes[1][None, :, None].astype(np.float32)
    x = axes[0][None, None, :].astype(np.float32)
    return {"x": x, "y": y, "z": z, "shape": shape}


def smooth_field(rng, shape, sigma_voxels):
    """Return Gaussian-smoothed white noise rescaled to zero mean and unit variance.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple of int
    sigma_voxels : float or sequence of float
        Correlation length of the field, in voxels, per axis.

    Returns
    -------
    ndarray of float32, shape ``shape``
    """
    field = ndimage.gaussian_filter(rng.standard_normal(shape, dtype=np.float32), sigma_voxels)
    std = float(field.std())
    return (field - field.mean()) / (std if std > 0 else 1.0)


def _draw_anatomy(rng, coords):
    shape = coords["shape"]
    x = np.broadcast_to(coords["x"], shape)
    y = np.broadcast_to(coords["y"], shape)
    z = np.broadcast_to(coords["z"], shape)
    coarse = (1.2, 2.5, 2.5)

    body_a, body_b = rng.uniform(160.0, 185.0), rng.uniform(112.0, 130.0)
    body_r = np.sqrt((x / body_a) ** 2 + (y / body_b) ** 2) + 0.015 * smooth_field(rng, shape, coarse)
    body = body_r < 1.0
    fat_depth = rng.uniform(0.1, 0.2)
    subcutaneous = body & (body_r > 1.0 - fat_depth)

    hu = np.full(shape, 45.0, dtype=np.float32)  # muscle
    hu += 4.0 * smooth_field(rng, shape, coarse)
    hu[subcutaneous] = -100.0 + 8.0 * smooth_field(rng, shape, coarse)[subcutaneous]

    # Pelvic cavity: bowel loops (soft tissue and fat, a little gas) and the bladder.
    cavity = ((x / 95.0) ** 2 + ((y - 5.0) / 60.0) ** 2) < 1.0
    texture = smooth_field(rng, shape, (1.0, 1.8, 1.8))
    hu[cavity] = np.where(texture[cavity] > 0.35, -90.0, 25.0)
    gas = cavity & (smooth_field(rng, shape, (0.8, 1.0, 1.0)) > 2.6)
    hu[gas] = -850.0
    bladder = ((x / 45.0) ** 2 + ((y + 35.0) / 35.0) ** 2 + ((z + 60.0) / 40.0) ** 2) < 1.0
    hu[bladder] = 8.0

    vessels = _iliac_vessels(x, y, z)
    hu[vessels] = 42.0

    bone_hu = _pelvic_bones(rng, x, y, z, shape)
    bone = bone_hu > 0
    hu[bone] = bone_hu[bone]
    hu[~body] = AIR_HU
    return {"hu": hu, "body": body, "vessels": vessels & body, "cavity": cavity & body & ~bone & ~bladder,
            "muscle": body & ~subcutaneous & ~cavity & ~bladder & ~bone & ~vessels}


def _iliac_vessels(x, y, z):
    # Common iliac arteries and veins run caudally and laterally from the midline.
    lateral = 20.0 + np.clip(40.0 - z, 0.0, None) * 0.45
    vessels = np.zeros(x.shape, dtype=bool)
    for side in (-1.0, 1.0):
        for offset_x, offset_y, radius in ((0.0, 20.0, 5.0), (8.0, 30.0, 7.0)):
            distance = np.hypot(x - side * (lateral + offset_x), y - offset_y)
            vessels |= distance < radius
    return vessels


def _pelvic_bones(rng, x, y, z, shape):
    """Return HU of bone voxels (cortex around marrow) and 0 elsewhere."""
    z_top = float(z.max())
    marrow = np.zeros(shape, dtype=bool)

    # Sacrum: a posterior midline wedge that narrows and tilts backwards caudally.
    taper = np.clip((z + 90.0) / 180.0, 0.15, 1.0)
    sacrum = ((x / (48.0 * taper)) ** 2 + ((y - 70.0 - 0.12 * (40.0 - z)) / (24.0 * taper)) ** 2) < 1.0
    marrow |= sacrum & (z > -90.0)

    # Iliac wings: curved plates in the cranial half that flare laterally with height.
    wing_a = 115.0 + 0.35 * np.clip(z, 0.0, None)
    wing_r = np.sqrt((x / wing_a) ** 2 + ((y - 20.0) / 70.0) ** 2)
    wings = (np.abs(wing_r - 1.0) < 0.07) & (y > -10.0) & (np.abs(x) > 40.0) & (z > -15.0)
    marrow |= wings & (z < z_top - 5.0)

    # Acetabula with femoral heads, and the pubic rami running anteriorly to the symphysis.
    for side in (-1.0, 1.0):
        marrow |= np.sqrt((x - side * 95.0) ** 2 + y ** 2 + (z + 30.0) ** 2) < 32.0
        t = np.clip(((x - side * 95.0) * (-side * 80.0) + (y + 0.0) * (-75.0)) / (80.0 ** 2 + 75.0 ** 2), 0, 1)
        ramus = np.sqrt((x - side * (95.0 - 80.0 * t)) ** 2 + (y + 75.0 * t) ** 2 + (z + 55.0) ** 2) < 12.0
        marrow |= ramus

    marrow = ndimage.binary_opening(marrow, iterations=1)
    cortex = marrow & ~ndimage.binary_erosion(marrow, iterations=1)
    hu = np.zeros(shape, dtype=np.float32)
    hu[marrow] = 230.0 + 40.0 * smooth_field(rng, shape, (1.0, 1.5, 1.5))[marrow]
    hu[cortex] = rng.uniform(800.0, 1000.0)
    return hu


def _draw_tumour_mask(rng, coords, centre_mm, semi_axes_mm, rotation):
    x = coords["x"] - centre_mm[0]
    y = coords["y"] - centre_mm[1]
    z = coords["z"] - centre_mm[2]
    cos, sin = np.cos(rotation), np.sin(rotation)
    u, v = cos * x + sin * y, -sin * x + cos * y
    radial = np.sqrt((u / semi_axes_mm[0]) ** 2 + (v / semi_axes_mm[1]) ** 2 + (z / semi_axes_mm[2]) ** 2)

    # Lobulation: a smooth field whose correlation length is a fraction of the tumour size.
    sigma = np.maximum(semi_axes_mm.min() * 0.35 / np.array(SPACING_MM)[::-1], 1.0)
    lobes = smooth_field(rng, coords["shape"], sigma)
    radial = radial + 0.09 * lobes
    mask = radial < 1.0

    labels, n_labels = ndimage.label(mask)
    if n_labels > 1:
        sizes = ndimage.sum_labels(mask, labels, index=np.arange(1, n_labels + 1))
        mask = labels == (1 + int(np.argmax(sizes)))
    mask = ndimage.binary_fill_holes(mask)
    if not mask.any():
        index = np.unravel_index(np.argmin(radial), radial.shape)
        mask[index] = True

    return _ensure_thickness(mask), radial


def _ensure_thickness(mask):
    """Grow a mask that is one voxel thin along an axis to three voxels along it.

    Texture features need a region at least two voxels thick along every axis, so a tumour
    smaller than about two voxels is grown, and its extent then exceeds the given size.
    """
    for axis in range(3):
        occupied = np.flatnonzero(mask.any(axis=tuple(other for other in range(3) if other != axis)))
        if occupied[-1] - occupied[0] < 1:
            structure = np.zeros((3, 3, 3), dtype=bool)
            structure[tuple(slice(None) if other == axis else 1 for other in range(3))] = True
            mask = ndimage.binary_dilation(mask, structure)
    return mask


def _cover_tumour(anatomy, mask):
    """Extend the body over a tumour that bulges out of it, under a layer of fat two voxels thick."""
    envelope = ndimage.binary_dilation(mask, iterations=2) & ~anatomy["body"]
    if envelope.any():
        anatomy["hu"][envelope] = -100.0
        anatomy["body"] |= envelope


def _draw_tumour_tissue(rng, mask, radial, latents, tumour_type):
    """Draw the tumour's plain and contrast HU over the mask's bounding box and return them with the box."""
    box = ndimage.find_objects(mask.astype(np.uint8))[0]
    inside = mask[box]
    radial_box = radial[box]
    shape = inside.shape
    base_hu, matrix = _TYPE_TISSUE[tumour_type]
    h, v, n = latents["heterogeneity"], latents["vascularity"], latents["necrosis"]

    plain = np.full(shape, base_hu + rng.normal(0.0, 5.0), dtype=np.float32)
    heterogeneity_sd = float(np.clip(11.0 + 5.0 * h, 3.0, None))
    correlation = float(np.clip(1.3 + 0.3 * h, 0.6, 2.5))
    plain += heterogeneity_sd * smooth_field(rng, shape, (correlation * 0.7, correlation, correlation))

    necrotic_fraction = float(np.clip(0.35 + 0.15 * n, 0.0, 0.75))
    core = radial_box + 0.15 * smooth_field(rng, shape, (0.8, 1.2, 1.2))
    necrotic = inside & (core < necrotic_fraction)
    plain[necrotic] = 12.0 + 6.0 * smooth_field(rng, shape, 1.0)[necrotic]

    vessel_count = rng.poisson(max(0.5, 0.25 * inside.sum() ** (1 / 3)) * np.exp(0.5 * v))
    vessels = _tumour_vessels(rng, inside & ~necrotic, vessel_count)
    plain[vessels] = 45.0

    if matrix is not None:
        mineral = inside & ~necrotic & (smooth_field(rng, shape, 0.7 if matrix == "chondroid" else 1.5)
                                        > rng.uniform(1.4, 2.2))
        plain[mineral] += rng.uniform(250.0, 600.0)

    viable = inside & ~necrotic
    enhancement = float(np.clip(22.0 + 12.0 * v, 3.0, None))
    contrast = plain.copy()
    contrast[viable] += enhancement * (1.0 + 0.35 * smooth_field(rng, shape, 1.5)[viable])
    contrast[vessels] = 170.0 + 40.0 * np.clip(v, -1.0, 2.0)
    contrast[necrotic] += 2.0
    return {"box": box, "plain": plain, "contrast": contrast}


def _tumour_vessels(rng, region, count):
    """Return a boolean array of random-walk vessels, one voxel thick, inside ``region``."""
    vessels = np.zeros(region.shape, dtype=bool)
    candidates = np.argwhere(region)
    if count == 0 or len(candidates) == 0:
        return vessels
    step_limit = max(4, int(max(region.shape) * 0.8))
    for start in candidates[rng.integers(len(candidates), size=count)]:
        position = start.astype(float)
        direction = rng.normal(size=3)
        direction /= np.linalg.norm(direction)
        for _ in range(step_limit):
            index = tuple(np.round(position).astype(int))
            if not all(0 <= i < s for i, s in zip(index, region.shape)) or not region[index]:
                break
            vessels[index] = True
            direction += 0.35 * rng.normal(size=3)
            direction /= np.linalg.norm(direction)
            position += direction
    return vessels


def _compose(rng, anatomy, mask, tumour, *, contrast):
    hu = anatomy["hu"].copy()
    if contrast:
        hu[anatomy["vessels"]] = rng.uniform(160.0, 220.0)
        hu[anatomy["muscle"]] += 12.0
        hu[anatomy["cavity"] & (hu > 0) & (hu < 100)] += 25.0

    box = tumour["box"]
    region = hu[box]
    inside = mask[box]
    region[inside] = (tumour["contrast"] if contrast else tumour["plain"])[inside]

    # Quantum noise, slightly correlated as after a soft reconstruction kernel. Air outside
    # the body stays at -1000 HU without noise, which shrinks the compressed files by a third.
    body = anatomy["body"]
    noise = 12.0 * smooth_field(rng, hu.shape, 0.6)
    hu[body] += noise[body]
    return np.clip(np.rint(hu), -1024, 3071).astype(np.int16)


def _second_reader_mask(rng, mask, ct):
    """Return a second segmentation that grows or shrinks the boundary by one voxel in patches.

    Like a semi-automatic tool, the second reader grows the region only into voxels whose plain
    CT value lies within the tumour's own 2nd-98th percentile range, so it never takes in
    cortical bone, fat or gas next to the tumour.
    """
    low, high = np.percentile(ct[mask], [2, 98])
    outer_shell = ndimage.binary_dilation(mask) & ~mask & (ct >= low) & (ct <= high)
    inner_shell = mask & ~ndimage.binary_erosion(mask)
    patches = smooth_field(rng, mask.shape, (1.0, 2.0, 2.0))
    threshold = rng.uniform(0.3, 0.7)
    second = (mask & ~(inner_shell & (patches < -threshold))) | (outer_shell & (patches > threshold))
    if not second.any() or np.array_equal(second, mask):
        second = mask & ~(inner_shell & (patches < 0))
    if not second.any():
        second = ndimage.binary_dilation(mask)
    return _ensure_thickness(second).astype(np.uint8)
