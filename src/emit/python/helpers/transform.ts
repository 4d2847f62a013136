/** `caffe_transform`: Caffe's DataTransformer applied to images, for the generated `preprocess`. */
export const TRANSFORM_SOURCE = `def caffe_transform(image, crop_size=0, mirror=False, scale=1.0, mean_values=(), mean=None,
                    phase="TEST", generator=None):
    """Caffe's DataTransformer on images (C, H, W) or (N, C, H, W): crop, (x - mean) * scale, mirror.

    In DataTransformer::Transform's order: a crop_size square (TRAIN at a random offset, TEST at
    ((H - crop) // 2, (W - crop) // 2)); minus the mean image of mean_file (mean, cropped at the
    same offset) or one mean_value per channel (a single value serves every channel); times
    scale; then a left-right flip with probability 1/2 when mirror is set, in either phase, as
    Caffe does. Random choices come from torch (generator), not from Caffe's random stream.
    """
    x = torch.as_tensor(image, dtype=torch.float32)
    images = []
    for img in (x if x.dim() == 4 else x.unsqueeze(0)):
        height, width = img.shape[-2:]
        m = None
        if mean is not None:
            m = torch.as_tensor(mean, dtype=torch.float32).reshape(img.shape)
        elif len(mean_values) > 0:
            m = torch.tensor(list(mean_values), dtype=torch.float32).reshape(-1, 1, 1)
        if crop_size:
            if phase == "TRAIN":
                top = int(torch.randint(height - crop_size + 1, (1,), generator=generator))
                left = int(torch.randint(width - crop_size + 1, (1,), generator=generator))
            else:
                top, left = (height - crop_size) // 2, (width - crop_size) // 2
            img = img[:, top:top + crop_size, left:left + crop_size]
            if mean is not None:
                m = m[:, top:top + crop_size, left:left + crop_size]
        if m is not None:
            img = img - m
        img = img * scale
        if mirror and int(torch.randint(2, (1,), generator=generator)):
            img = img.flip(-1)
        images.append(img)
    out = torch.stack(images)
    return out if x.dim() == 4 else out[0]`;
