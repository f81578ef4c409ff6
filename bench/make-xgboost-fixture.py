"""Builds the committed XGBoost fixture: a small binary:logistic model plus rows and XGBoost's own predictions.

Run once with Debian's interpreter (needs python3-xgboost 1.7):
    /usr/bin/python3 bench/make-xgboost-fixture.py
Writes test/fixtures/xgboost/model.json (XGBoost save_model JSON) and expected.json.
The rows include NaNs and values sitting exactly on split thresholds, so routing at the boundary is checked too.
"""
import json
import os
import sys

import numpy as np
import xgboost as xgb

OUT_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'test', 'fixtures', 'xgboost')
FEATURES = 5

rng = np.random.default_rng(20240611)
n = 600
x = rng.normal(size=(n, FEATURES)).astype(np.float32)
x[:, 3] = rng.integers(0, 6, size=n)  # an ordinal-coded categorical column
margin = 1.2 * x[:, 0] - 0.8 * x[:, 1] * (x[:, 2] > 0) + 0.4 * (x[:, 3] == 2) - 0.3
y = (rng.random(n) < 1 / (1 + np.exp(-margin))).astype(np.float32)
x[rng.random((n, FEATURES)) < 0.1] = np.nan

booster = xgb.train(
    {'objective': 'binary:logistic', 'tree_method': 'hist', 'max_depth': 3, 'eta': 0.3, 'base_score': 0.4, 'nthread': 1, 'seed': 0},
    xgb.DMatrix(x, label=y, missing=np.nan),
    num_boost_round=20,
)
os.makedirs(OUT_DIR, exist_ok=True)
model_path = os.path.join(OUT_DIR, 'model.json')
booster.save_model(model_path)

with open(model_path) as fh:
    saved = json.load(fh)
on_threshold = []
for tree in saved['learner']['gradient_booster']['model']['trees'][:8]:
    for node, left in enumerate(tree['left_children']):
        if left != -1:
            row = x[len(on_threshold) % 40].copy()
            row[tree['split_indices'][node]] = np.float32(tree['split_conditions'][node])
            on_threshold.append(row)
rows = np.concatenate([x[:40], np.array(on_threshold, dtype=np.float32), np.full((1, FEATURES), np.nan, dtype=np.float32)])
proba = booster.predict(xgb.DMatrix(rows, missing=np.nan))
margins = booster.predict(xgb.DMatrix(rows, missing=np.nan), output_margin=True)

def encode(v):
    return None if np.isnan(v) else float(v)

expected = {
    'featureCount': FEATURES,
    'xgboostVersion': xgb.__version__,
    'rows': [[encode(v) for v in row] for row in rows],
    'probabilities': [float(p) for p in proba],
    'margins': [float(m) for m in margins],
}
with open(os.path.join(OUT_DIR, 'expected.json'), 'w') as fh:
    json.dump(expected, fh)
print(f'wrote {model_path} and expected.json: {len(rows)} rows, {len(saved["learner"]["gradient_booster"]["model"]["trees"])} trees', file=sys.stderr)
