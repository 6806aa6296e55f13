#!/usr/bin/python3
"""Writes learners_small.npz: small deterministic data sets and scikit-learn 1.2's results on them, the references
of tests/Deepscope.Tests/Learners. Re-run with /usr/bin/python3 (Debian's python3-sklearn) to regenerate."""
import os

import numpy as np
from sklearn.datasets import load_iris
from sklearn.decomposition import PCA
from sklearn.discriminant_analysis import LinearDiscriminantAnalysis
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support, roc_auc_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC, LinearSVC

rng = np.random.RandomState(20261126)
out = {}

# Three Gaussian classes in 5-D with a shared, correlated covariance: LDA's model.
mixing = rng.normal(size=(5, 5))
centres = rng.normal(scale=2.0, size=(3, 5))
def blobs(n):
    y = np.repeat(np.arange(3), n)
    x = centres[y] + rng.normal(size=(3 * n, 5)) @ mixing
    return x.astype(np.float32), y.astype(np.int64)
x_train, y_train = blobs(40)
x_test, y_test = blobs(20)
out.update(blobs_x_train=x_train, blobs_y_train=y_train, blobs_x_test=x_test, blobs_y_test=y_test)
x64, t64 = x_train.astype(np.float64), x_test.astype(np.float64)

lda = LinearDiscriminantAnalysis().fit(x64, y_train)
out["lda_proba"] = lda.predict_proba(t64)
out["lda_transform"] = lda.transform(t64)
lda_auto = LinearDiscriminantAnalysis(solver="lsqr", shrinkage="auto").fit(x64, y_train)
out["lda_auto_proba"] = lda_auto.predict_proba(t64)
lda_half = LinearDiscriminantAnalysis(solver="lsqr", shrinkage=0.5).fit(x64, y_train)
out["lda_half_proba"] = lda_half.predict_proba(t64)

logreg = LogisticRegression(C=0.5, tol=1e-10, max_iter=100000).fit(x64, y_train)
out["logreg_proba"] = logreg.predict_proba(t64)

# A large intercept_scaling makes liblinear's penalty on the intercept negligible, the objective Deepscope minimises.
svc = LinearSVC(C=0.1, tol=1e-10, max_iter=1000000, intercept_scaling=100).fit(x64, y_train)
out["linsvm_decision"] = svc.decision_function(t64)

rbf = SVC(C=2.0, gamma="scale", tol=1e-8, decision_function_shape="ovo").fit(x64, y_train)
out["rbf_decision"] = rbf.decision_function(t64)  # ovo order (0,1), (0,2), (1,2)
out["rbf_support_count"] = np.array(rbf.n_support_, dtype=np.int64)
out["rbf_gamma"] = np.array([1.0 / (x64.shape[1] * x64.var())])

# Binary problem 0 vs 1: the dual objective 1/2 a'Qa - e'a at the optimum.
mask = y_train < 2
xb, yb = x64[mask], y_train[mask]
binary = SVC(C=2.0, gamma=0.1, tol=1e-10).fit(xb, yb)
sv = xb[binary.support_]
coef = binary.dual_coef_[0]  # alpha_i y_i
k = np.exp(-0.1 * ((sv[:, None, :] - sv[None, :, :]) ** 2).sum(-1))
out["rbf_binary_objective"] = np.array([0.5 * coef @ k @ coef - np.abs(coef).sum()])

knn = KNeighborsClassifier(n_neighbors=5).fit(x64, y_train)
out["knn_proba"] = knn.predict_proba(t64)
out["knn_distance_proba"] = KNeighborsClassifier(n_neighbors=7, weights="distance").fit(x64, y_train).predict_proba(t64)

pca = PCA(n_components=3).fit(x64)
out["pca_transform"] = pca.transform(t64)
out["pca_explained_variance"] = pca.explained_variance_

# Iris (scikit-learn's bundled copy): the classic LDA data set.
iris = load_iris()
out["iris_x"] = iris.data.astype(np.float32)
out["iris_y"] = iris.target.astype(np.int64)
out["iris_lda_training_accuracy"] = np.array([LinearDiscriminantAnalysis().fit(iris.data, iris.target).score(iris.data, iris.target)])

# Metrics on random labels (4 classes, one never predicted) and binary scores with ties.
truth = rng.randint(0, 4, size=200)
predicted = np.where(rng.rand(200) < 0.6, truth, rng.randint(0, 3, size=200))
out["metrics_truth"], out["metrics_predicted"] = truth.astype(np.int64), predicted.astype(np.int64)
out["metrics_confusion"] = confusion_matrix(truth, predicted).astype(np.int64)
p, r, f, s = precision_recall_fscore_support(truth, predicted, zero_division=0)
out["metrics_precision"], out["metrics_recall"], out["metrics_f1"] = p, r, f
out["metrics_macro_f1"] = np.array([f1_score(truth, predicted, average="macro", zero_division=0)])
out["metrics_weighted_f1"] = np.array([f1_score(truth, predicted, average="weighted", zero_division=0)])
binary_truth = rng.randint(0, 2, size=300)
scores = np.round(binary_truth * 0.8 + rng.normal(size=300), 1)  # rounded: many ties
out["auc_truth"], out["auc_scores"] = binary_truth.astype(np.int64), scores
out["auc"] = np.array([roc_auc_score(binary_truth, scores)])

np.savez(os.path.join(os.path.dirname(os.path.abspath(__file__)), "learners_small.npz"), **out)
print({k: v.shape for k, v in out.items()})
