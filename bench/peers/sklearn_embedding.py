#!/usr/bin/python3
"""scikit-learn's side of the embedding benchmark (bench/Deepscope.Bench/EmbeddingBenchmark.cs runs it back to back).

Embeds the rows of a .npy with scikit-learn's defaults, prints one JSON line per method:
{"method", "seconds", "trustworthiness", "kl_divergence"?} and saves each embedding as <out-dir>/<method>.npy.
"""
import argparse, json, os, time

import numpy as np
from sklearn.decomposition import PCA
from sklearn.manifold import TSNE, Isomap, LocallyLinearEmbedding, MDS, SpectralEmbedding, trustworthiness


def make(method, seed):
    if method == "pca":
        return PCA(n_components=2, random_state=seed)
    if method == "isomap":
        return Isomap(n_components=2)
    if method == "tsne":
        # scikit-learn 1.2 defaults spelled out: Barnes-Hut, theta 0.5, perplexity 30, PCA init, lr auto.
        return TSNE(n_components=2, perplexity=30.0, init="pca", learning_rate="auto", method="barnes_hut",
                    angle=0.5, n_iter=1000, random_state=seed)
    if method == "lle":
        return LocallyLinearEmbedding(n_components=2, random_state=seed)
    if method == "spectral":
        return SpectralEmbedding(n_components=2, random_state=seed)
    if method == "mds":
        return MDS(n_components=2, random_state=seed, normalized_stress="auto")
    raise SystemExit(f"unknown method {method}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--features", required=True)
    parser.add_argument("--methods", default="pca,isomap,tsne")
    parser.add_argument("--out-dir", required=True)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--k", type=int, default=10)
    args = parser.parse_args()
    x = np.load(args.features).astype(np.float32)
    for method in args.methods.split(","):
        model = make(method, args.seed)
        start = time.perf_counter()
        embedding = model.fit_transform(x)
        seconds = time.perf_counter() - start
        np.save(os.path.join(args.out_dir, f"{method}.npy"), embedding.astype(np.float32))
        record = {"method": method, "seconds": seconds, "trustworthiness": float(trustworthiness(x, embedding, n_neighbors=args.k))}
        if method == "tsne":
            record["kl_divergence"] = float(model.kl_divergence_)
        print(json.dumps(record), flush=True)


if __name__ == "__main__":
    main()
