using System.Runtime.CompilerServices;

// The OCR tests build their fixtures (rotated scans, multi-page TIFFs) with the same Leptonica imports.
[assembly: InternalsVisibleTo("RagService.Ingestion.Tests")]
