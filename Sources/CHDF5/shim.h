// libhdf5 for Swift: the library's header, plus one-line wrappers for what Swift cannot import.
#ifndef LSTMLAB_CHDF5_SHIM_H
#define LSTMLAB_CHDF5_SHIM_H

#include <hdf5.h>

// H5P_DEFAULT is a macro: the default property list.
static inline hid_t chdf5_default_properties(void) { return H5P_DEFAULT; }
// H5S_ALL is a macro: the whole dataspace.
static inline hid_t chdf5_all_space(void) { return H5S_ALL; }
// H5E_DEFAULT is a macro: the default error stack.
static inline hid_t chdf5_default_error_stack(void) { return H5E_DEFAULT; }
// H5F_ACC_* expand to H5open() calls plus a constant.
static inline unsigned chdf5_access_truncate(void) { return H5F_ACC_TRUNC; }
static inline unsigned chdf5_access_read_only(void) { return H5F_ACC_RDONLY; }
// H5T_NATIVE_DOUBLE, H5T_NATIVE_INT64 and H5T_C_S1 expand to H5open() plus a global id.
static inline hid_t chdf5_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t chdf5_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t chdf5_c_string(void) { return H5T_C_S1; }
// H5P_LINK_CREATE expands to H5open() plus a global class id.
static inline hid_t chdf5_link_create_class(void) { return H5P_LINK_CREATE; }
// H5P_DATASET_CREATE and H5P_GROUP_CREATE expand to H5open() plus a global class id.
static inline hid_t chdf5_dataset_create_class(void) { return H5P_DATASET_CREATE; }
static inline hid_t chdf5_group_create_class(void) { return H5P_GROUP_CREATE; }
// H5P_FILE_ACCESS expands to H5open() plus a global class id.
static inline hid_t chdf5_file_access_class(void) { return H5P_FILE_ACCESS; }
// H5Eset_auto2 takes a function pointer; silencing the error printer needs NULL for it.
static inline herr_t chdf5_silence_errors(void) { return H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

#endif
