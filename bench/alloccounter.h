#pragma once

#include <cstdint>

// Counts calls to malloc/calloc/realloc made anywhere in the process (Qt's containers allocate with malloc,
// not operator new, so counting operator new alone would miss nearly everything). Linking alloccounter.cpp
// interposes the C allocator; counting is off until enabled.
namespace AllocCounter {

void setEnabled(bool on);
[[nodiscard]] std::uint64_t count();

} // namespace AllocCounter
