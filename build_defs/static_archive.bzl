"""static_archive: one static library from a cc_library and its deps.

Bazel 4.2.3 has no rule that packs a library's closure into one archive for
use outside Bazel (cc_shared_library is newer; cc_library's own .a holds its
own objects only). This rule takes the position-independent archives (so
the result links into PIE executables, Debian's default) of every library
in `deps`' closure that belongs to this workspace, and merges them with
`ar` (an MRI script). System libraries (linkopts, e.g. Abseil) are not
included: the consumer links them, as kvstore.pc says.
"""

def _static_archive_impl(ctx):
    archives = []
    for dep in ctx.attr.deps:
        for linker_input in dep[CcInfo].linking_context.linker_inputs.to_list():
            if linker_input.owner.workspace_name != "":
                continue
            for lib in linker_input.libraries:
                archive = lib.pic_static_library or lib.static_library
                if archive != None and archive not in archives:
                    archives.append(archive)
    out = ctx.outputs.out
    script = "\n".join(
        ["create " + out.path] +
        ["addlib " + a.path for a in archives] +
        ["save", "end", ""],
    )
    ctx.actions.run_shell(
        inputs = archives,
        outputs = [out],
        command = "printf '%s' \"$1\" | ar -M",
        arguments = [script],
        mnemonic = "StaticArchive",
        progress_message = "Merging static archive %s" % out.short_path,
    )
    return [DefaultInfo(
        files = depset([out]),
        runfiles = ctx.runfiles(files = [out]),
    )]

static_archive = rule(
    implementation = _static_archive_impl,
    attrs = {
        "deps": attr.label_list(providers = [CcInfo]),
        "out": attr.output(mandatory = True),
    },
)
