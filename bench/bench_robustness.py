#!/usr/bin/python3
"""Colony counts on real plates seen another way: polarity, scale, exposure, light, colour, blur.

The real sets hold one camera and one polarity. Other labs photograph light colonies on dark
agar, with other cameras, exposures, lighting and lenses. This bench transforms each real plate
(inverted, rotated, scaled, gamma, vignetting, a light gradient, a colour cast, grey, blur,
noise, a dark border) and counts it with `assayctl count` and with OpenCFU (`-d reg -a`, or
`-d inv -a` where the transform makes the colonies light), in the same run, against the
people's count of the original plate. Prints MAPE per transform for both, and per image with
--verbose.

  bench/bench_robustness.py [--assayctl build/bin/assayctl] [--sets opencfu_webcam]
                            [--transforms inv,grad,...] [--files A,B] [--no-opencfu] [--verbose]
"""
import argparse, csv, json, os, resource, statistics, subprocess, sys, tempfile

try:
    import cv2
    import numpy as np
except ImportError:
    sys.exit('bench_robustness needs python3-opencv and python3-numpy (scripts/packages.txt)')

HERE = os.path.dirname(os.path.abspath(__file__))


def vignette(image, strength=0.5):
    h, w = image.shape[:2]
    y, x = np.mgrid[0:h, 0:w]
    r2 = ((x - w / 2) ** 2 + (y - h / 2) ** 2) / ((w / 2) ** 2 + (h / 2) ** 2)
    return np.clip(image * (1 - strength * r2)[..., None], 0, 255).astype(np.uint8)


def gradient(image, strength=0.4):
    w = image.shape[1]
    return np.clip(image * np.linspace(1 - strength, 1, w)[None, :, None], 0, 255).astype(np.uint8)


def gamma(image, g):
    return (255 * (image / 255.0) ** g).astype(np.uint8)


# name: (transform, whether it turns dark colonies light)
TRANSFORMS = {
    'original': (lambda im: im, False),
    'inverted': (lambda im: 255 - im, True),
    'inverted_dim': (lambda im: np.clip((255 - im).astype(np.float32) * 0.7, 0, 255).astype(np.uint8), True),
    'inverted_vignette': (lambda im: vignette(255 - im), True),
    'rotated': (lambda im: cv2.rotate(im, cv2.ROTATE_90_CLOCKWISE), False),
    'scaled_0.6': (lambda im: cv2.resize(im, None, fx=0.6, fy=0.6, interpolation=cv2.INTER_AREA), False),
    'scaled_1.5': (lambda im: cv2.resize(im, None, fx=1.5, fy=1.5, interpolation=cv2.INTER_CUBIC), False),
    'gamma_0.5': (lambda im: gamma(im, 0.5), False),
    'gamma_2': (lambda im: gamma(im, 2.0), False),
    'vignette': (vignette, False),
    'light_gradient': (gradient, False),
    'noise': (lambda im: np.clip(im + np.random.default_rng(1).normal(0, 8, im.shape), 0, 255).astype(np.uint8), False),
    'colour_cast': (lambda im: np.clip(im * np.array([0.7, 0.9, 1.1]), 0, 255).astype(np.uint8), False),
    'grey': (lambda im: cv2.cvtColor(cv2.cvtColor(im, cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR), False),
    'blur': (lambda im: cv2.GaussianBlur(im, (0, 0), 1.5), False),
    'dark_border': (lambda im: cv2.copyMakeBorder(im, 200, 200, 300, 300, cv2.BORDER_CONSTANT, value=(40, 40, 40)), False),
}


def cpu_of(argv, cwd=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ours(assayctl, image):
    p, _ = cpu_of([assayctl, 'count', image, '--json'])
    try:
        return json.loads(p.stdout)[0]['count']
    except (ValueError, KeyError, IndexError):
        sys.stderr.write(f'assayctl failed on {image}: {p.stderr.strip()}\n')
        return -1


def opencfu(image, light):
    p, _ = cpu_of(['opencfu', '-i', image, '-d', 'inv' if light else 'reg', '-a'], cwd='/usr/share/opencfu')
    lines = p.stdout.strip().splitlines()
    return sum(1 for l in lines[1:] if l.split(',')[0] == '1') if lines else -1


def error_pct(n, truth):
    return abs(n - truth) / truth * 100 if n >= 0 else 100.0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--assayctl', default=os.path.join(HERE, '..', 'build', 'bin', 'assayctl'))
    ap.add_argument('--realsets', default=os.path.join(HERE, '..', '..', 'shared', 'data', 'realsets'))
    ap.add_argument('--sets', default='opencfu_webcam')
    ap.add_argument('--transforms', default=','.join(TRANSFORMS))
    ap.add_argument('--files', help='only these images (substrings of their names)')
    ap.add_argument('--no-opencfu', action='store_true')
    ap.add_argument('--verbose', action='store_true')
    a = ap.parse_args()
    unknown = [t for t in a.transforms.split(',') if t not in TRANSFORMS]
    if unknown:
        sys.exit(f'unknown transform(s) {", ".join(unknown)}; choose from {", ".join(TRANSFORMS)}')
    workdir = tempfile.mkdtemp(prefix='bench_robustness_')
    for name in a.sets.split(','):
        setdir = os.path.join(a.realsets, name)
        rows = list(csv.DictReader(open(os.path.join(setdir, 'ground_truth.csv'))))
        if a.files:
            rows = [r for r in rows if any(k in r['file'] for k in a.files.split(','))]
        print(f'== {name}: {len(rows)} images; MAPE against the people\'s count of the original plate')
        print(f'{"transform":18s} {"ours":>7s} {"opencfu":>8s}')
        all_ours, all_theirs = [], []
        for t in a.transforms.split(','):
            transform, makes_light = TRANSFORMS[t]
            e_ours, e_theirs, per = [], [], []
            for r in rows:
                image = cv2.imread(os.path.join(setdir, r['file']), cv2.IMREAD_COLOR)
                light = (r.get('polarity', 'dark_on_light') == 'light_on_dark') != makes_light
                path = os.path.join(workdir, f'{t}_{os.path.splitext(r["file"])[0]}.png')
                cv2.imwrite(path, transform(image))
                truth = float(r['count'])
                n = ours(a.assayctl, path)
                e_ours.append(error_pct(n, truth))
                cell = f'{r["file"][:12]} {truth:.0f}: {n}'
                if not a.no_opencfu:
                    o = opencfu(path, light)
                    e_theirs.append(error_pct(o, truth))
                    cell += f'/{o}'
                per.append(cell)
                os.remove(path)
            all_ours += e_ours
            all_theirs += e_theirs
            theirs = f'{statistics.mean(e_theirs):7.1f}%' if e_theirs else '       -'
            print(f'{t:18s} {statistics.mean(e_ours):6.1f}% {theirs}', flush=True)
            if a.verbose:
                print('    ' + ', '.join(per))
        theirs = f'{statistics.mean(all_theirs):7.1f}%' if all_theirs else '       -'
        print(f'{"all transforms":18s} {statistics.mean(all_ours):6.1f}% {theirs}')
    os.rmdir(workdir)


if __name__ == '__main__':
    main()
