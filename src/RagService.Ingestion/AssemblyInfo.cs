[assembly: System.Runtime.CompilerServices.InternalsVisibleTo("RagService.Ingestion.Tests")]
