/* The single entry point of a dlopen host: a static table of every exported function. */
#include "../abi/covertheme.h"

static const covertheme_api api_v1 = {
    .struct_size = sizeof(covertheme_api),
    .abi_version = COVERTHEME_ABI_VERSION,
    .version_number = covertheme_version_number,
    .version_string = covertheme_version_string,
    .abi_version_fn = covertheme_abi_version,
    .strerror = covertheme_strerror,
    .create = covertheme_create,
    .destroy = covertheme_destroy,
    .set_option = covertheme_set_option,
    .get_option = covertheme_get_option,
    .reset_options = covertheme_reset_options,
    .space_from_name = covertheme_space_from_name,
    .space_name = covertheme_space_name,
    .bg_policy_from_name = covertheme_bg_policy_from_name,
    .bg_policy_name = covertheme_bg_policy_name,
    .role_name = covertheme_role_name,
    .generate_file = covertheme_generate_file,
    .generate_buffer = covertheme_generate_buffer,
    .theme_free = covertheme_theme_free,
    .last_error = covertheme_last_error,
    .render = covertheme_render,
    .render_to_file = covertheme_render_to_file,
    .free = covertheme_free,
};

COVERTHEME_API const covertheme_api *covertheme_get_api(unsigned abi_version)
{
    if (abi_version == 0 || abi_version > COVERTHEME_ABI_VERSION)
        return NULL;
    return &api_v1;
}
