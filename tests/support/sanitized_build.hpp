// Whether this test program was built with AddressSanitizer or ThreadSanitizer. A test program
// and the assayd it starts come from the same build tree (scripts/asan.sh, scripts/tsan.sh), so
// this also says whether that assayd is sanitized: then its RSS holds the sanitizer's shadow
// memory and allocator caches besides its own heap.
#pragma once

namespace assay::testing {

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr bool kSanitizedBuild = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
inline constexpr bool kSanitizedBuild = true;
#else
inline constexpr bool kSanitizedBuild = false;
#endif
#else
inline constexpr bool kSanitizedBuild = false;
#endif

}  // namespace assay::testing
