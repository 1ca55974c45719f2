"""Installs basicsr-lfdn: the LMFN / LFDN networks as a BasicSR plugin."""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent

setup(
    name='basicsr-lfdn',
    version='0.1.0',
    description='LMFN (ICIP 2021) and LFDN (Sensors 2021) deblurring/deraining networks for BasicSR',
    long_description=(ROOT / 'README.md').read_text(encoding='utf-8'),
    long_description_content_type='text/markdown',
    python_requires='>=3.9',
    packages=find_packages(include=['basicsr_lfdn', 'basicsr_lfdn.*', 'datasets_prep', 'datasets_prep.*']),
    include_package_data=True,
    package_data={'basicsr_lfdn.pretrained': ['*.pth', '*.json', '*.md']},
    install_requires=[
        'torch>=2.1',
        'torchvision>=0.16',
        # compat.py adapts exactly this release line to current torchvision.
        'basicsr>=1.4.2,<1.5',
        'mmengine>=0.10',
        'lmdb',
        'opencv-python',
        'einops',
        'numpy',
        'psutil',
        'pyyaml',
        'tqdm',
        'scikit-image',
        'tensorboard',
    ],
    extras_require={
        'export': ['onnx', 'onnxruntime'],
        # CPU deployment: lfdn-restore / lfdn-benchmark --backend onnxruntime|openvino, int8 with NNCF.
        'deploy': ['onnx', 'onnxruntime', 'openvino>=2024.0', 'nncf>=2.10'],
        'plot': ['matplotlib'],
        # lfdn-demo: the restore web page (gr.ImageSlider with buttons= needs Gradio 6).
        'demo': ['gradio>=6.0,<7'],
        # gradio + playwright: the demo page's browser tests (Playwright drives Debian's /usr/bin/chromium).
        'test': [
            'pytest',
            'ruff',
            'onnx',
            'onnxruntime',
            'openvino>=2024.0',
            'nncf>=2.10',
            'matplotlib',
            'gradio>=6.0,<7',
            'playwright>=1.40',
        ],
    },
    entry_points={
        'console_scripts': [
            'lfdn-train = basicsr_lfdn.train:main',
            'lfdn-test = basicsr_lfdn.test:main',
            'lfdn-prep = datasets_prep.cli:main',
            'lfdn-restore = basicsr_lfdn.inference.restore:main',
            'lfdn-export = basicsr_lfdn.inference.export:main',
            'lfdn-benchmark = basicsr_lfdn.benchmark:main',
            'lfdn-complexity = basicsr_lfdn.archs.complexity:main',
            'lfdn-score = basicsr_lfdn.scoring:main',
            'lfdn-demo = basicsr_lfdn.demo.cli:main',
        ],
    },
)
