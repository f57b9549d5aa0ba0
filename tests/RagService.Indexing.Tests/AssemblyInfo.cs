namespace RagService.Indexing.Tests;
