// Placeholder translation unit until the plugin loader lands in this folder.
namespace assay::plugins {}
