# Sources are listed by hand, not globbed, so that what builds is what the lists say. The cost
# is a file added to a folder and forgotten in its list: sise_check_sources() globs the tree at
# configure time and fails configuration naming every .cpp that no list holds.

# sise_sources(<variable> <file>...): sets <variable> to the files (relative to the calling
# list file's folder, made absolute) and records them as listed.
function(sise_sources variable)
  set(files "")
  foreach(file IN LISTS ARGN)
    cmake_path(ABSOLUTE_PATH file BASE_DIRECTORY ${CMAKE_CURRENT_LIST_DIR} NORMALIZE)
    if(NOT EXISTS ${file})
      message(FATAL_ERROR "${variable} lists ${file}, which does not exist")
    endif()
    list(APPEND files ${file})
  endforeach()
  set_property(GLOBAL APPEND PROPERTY SISE_LISTED_SOURCES ${files})
  set(${variable} ${files} PARENT_SCOPE)
endfunction()

# sise_check_sources(<folder>...): every .cpp under the folders (relative to the project) is in
# some sise_sources() list, or configuration fails naming the ones that are not.
function(sise_check_sources)
  get_property(listed GLOBAL PROPERTY SISE_LISTED_SOURCES)
  set(globs "")
  foreach(folder IN LISTS ARGN)
    list(APPEND globs ${PROJECT_SOURCE_DIR}/${folder}/*.cpp)
  endforeach()
  # CONFIGURE_DEPENDS: a .cpp added later re-runs configuration, and so this check.
  file(GLOB_RECURSE found CONFIGURE_DEPENDS ${globs})
  set(unlisted "")
  foreach(file IN LISTS found)
    if(NOT file IN_LIST listed)
      file(RELATIVE_PATH name ${PROJECT_SOURCE_DIR} ${file})
      list(APPEND unlisted ${name})
    endif()
  endforeach()
  if(unlisted)
    list(JOIN unlisted "\n  " names)
    message(FATAL_ERROR "These sources are in no list (add each to its sise_sources() list in "
                        "CMakeLists.txt or <folder>/sources.cmake):\n  ${names}")
  endif()
endfunction()
