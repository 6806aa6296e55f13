using System.Text.Json.Nodes;
using Deepscope.Catalogs;
using Deepscope.Data;
using Deepscope.Embedding;
using Deepscope.Features;
using Deepscope.Learners;
using Deepscope.Models;

namespace Deepscope.Studies.FeatureComparison;

/// <summary>The JSON Schema of the feature comparison's keys, written from the catalogs it names components from.</summary>
static class FeatureComparisonSchema
{
    public static JsonObject Build() => new()
    {
        ["required"] = CatalogSchema.Strings(["datasets", "features"]),
        ["properties"] = new JsonObject
        {
            ["datasets"] = CatalogSchema.Described(CatalogSchema.NamedList(Datasets.Catalog), "datasets, each with the number of images to use"),
            ["features"] = CatalogSchema.Described(CatalogSchema.NamedList(FeatureExtractors.Catalog), "feature extractors to compare"),
            ["embeddings"] = new JsonObject
            {
                ["type"] = "object", ["additionalProperties"] = false, ["required"] = CatalogSchema.Strings(["methods"]),
                ["description"] = "2-D embeddings of each feature set, plotted",
                ["properties"] = new JsonObject
                {
                    ["methods"] = new JsonObject { ["type"] = "array", ["minItems"] = 1, ["items"] = CatalogSchema.Names(Embedders.Catalog) },
                    ["split"] = new JsonObject { ["enum"] = CatalogSchema.Strings(FeatureComparisonFile.Splits), ["default"] = "test" },
                    ["samples"] = new JsonObject { ["type"] = "integer", ["minimum"] = 10, ["default"] = 2000, ["description"] = "the first N samples of the split" },
                    ["params"] = new JsonObject
                    {
                        ["type"] = "object", ["additionalProperties"] = false, ["description"] = "parameters per method",
                        ["properties"] = new JsonObject(Embedders.Catalog.Select(e => KeyValuePair.Create(e.Name, (JsonNode?)CatalogSchema.Parameters(e.DefaultOptions())))),
                    },
                },
            },
            ["learners"] = CatalogSchema.Described(CatalogSchema.NamedList(LearnerCatalog.Catalog, grid: true),
                "learners; a list of values is a grid searched by cross-validation"),
            ["cv"] = new JsonObject { ["type"] = "integer", ["minimum"] = 2, ["maximum"] = 100, ["default"] = 3, ["description"] = "folds of the grid search" },
            ["scale"] = new JsonObject { ["type"] = "boolean", ["default"] = true, ["description"] = "standardise the features (fitted on the training split)" },
            ["pca"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["description"] = "project the features on their first K principal components" },
            ["finetune"] = new JsonObject
            {
                ["type"] = "object", ["additionalProperties"] = false, ["required"] = CatalogSchema.Strings(["model"]),
                ["description"] = "a CNN trained on the images themselves, beside the feature x learner table",
                ["properties"] = new JsonObject
                {
                    ["model"] = CatalogSchema.Names(ModelZoo.Catalog),
                    ["weights"] = new JsonObject { ["type"] = "string", ["description"] = "pretrained weights (.pth); without them the model is trained from scratch" },
                    ["mode"] = new JsonObject { ["enum"] = CatalogSchema.Strings(FeatureComparisonFile.FinetuneModes) },
                    ["epochs"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 1000, ["default"] = 3 },
                    ["lr"] = new JsonObject { ["type"] = "number", ["minimum"] = 0, ["default"] = 0.01 },
                    ["batch_size"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["default"] = 128 },
                    ["image_size"] = new JsonObject { ["type"] = "integer", ["minimum"] = 8, ["maximum"] = 1024 },
                },
            },
        },
    };
}
