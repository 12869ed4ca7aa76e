#!/usr/bin/python3
"""Colony counts on the real photographs in ../shared/data/realsets, beside OpenCFU, in one run.

For every image of each set: the people's count, `assayctl count` (default parameters, polarity
detected) and `opencfu -i IMAGE -d reg|inv -a` (the polarity option right for the set, from its
ground_truth.csv), with each process's CPU time. Prints per-image rows and per-set MAPE.

  bench/bench_realsets.py [--assayctl build/bin/assayctl] [--sets opencfu_hd,opencfu_webcam]
                          [--kind colonies] [--no-opencfu]
"""
import argparse, csv, json, os, resource, statistics, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))


def cpu_of(argv, cwd=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.run(argv, cwd=cwd, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return p, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def ours(assayctl, kind, image):
    p, cpu = cpu_of([assayctl, 'count', '--kind', kind, image, '--json'])
    try:
        return json.loads(p.stdout)[0]['count'], cpu
    except (ValueError, KeyError, IndexError):
        sys.stderr.write(f'assayctl failed on {image}: {p.stderr.strip()}\n')
        return -1, cpu


def opencfu(image, polarity):
    p, cpu = cpu_of(['opencfu', '-i', image, '-d', 'inv' if polarity == 'light_on_dark' else 'reg', '-a'],
                    cwd='/usr/share/opencfu')
    lines = p.stdout.strip().splitlines()
    return (sum(1 for l in lines[1:] if l.split(',')[0] == '1') if lines else -1), cpu


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--assayctl', default=os.path.join(HERE, '..', 'build', 'bin', 'assayctl'))
    ap.add_argument('--realsets', default=os.path.join(HERE, '..', '..', 'shared', 'data', 'realsets'))
    ap.add_argument('--sets', default='opencfu_hd,opencfu_webcam')
    ap.add_argument('--kind', default='colonies')
    ap.add_argument('--no-opencfu', action='store_true')
    a = ap.parse_args()
    for name in a.sets.split(','):
        setdir = os.path.join(a.realsets, name)
        rows = list(csv.DictReader(open(os.path.join(setdir, 'ground_truth.csv'))))
        errs, oerrs, cpus, ocpus = [], [], [], []
        print(f'== {name}: {len(rows)} images')
        print(f'{"file":28s} {"people":>6s} {"ours":>6s} {"err%":>7s} {"cpu s":>6s} | {"opencfu":>7s} {"err%":>7s} {"cpu s":>6s}')
        for r in rows:
            image = os.path.join(setdir, r['file'])
            truth = float(r['count'])
            n, cpu = ours(a.assayctl, a.kind, image)
            e = (n - truth) / truth * 100
            errs.append(abs(e)); cpus.append(cpu)
            line = f'{r["file"]:28s} {truth:6.0f} {n:6d} {e:+7.1f} {cpu:6.2f} |'
            if not a.no_opencfu:
                o, ocpu = opencfu(image, r.get('polarity', 'dark_on_light'))
                oe = (o - truth) / truth * 100
                oerrs.append(abs(oe)); ocpus.append(ocpu)
                line += f' {o:7d} {oe:+7.1f} {ocpu:6.2f}'
            print(line, flush=True)
        summary = f'{name}: ours MAPE {statistics.mean(errs):.1f} %, median CPU {statistics.median(cpus):.2f} s'
        if oerrs:
            summary += (f'; OpenCFU MAPE {statistics.mean(oerrs):.1f} %, median CPU {statistics.median(ocpus):.2f} s'
                        f' ({statistics.median(ocpus) / max(1e-9, statistics.median(cpus)):.1f}x ours)')
        print(summary)


if __name__ == '__main__':
    main()
