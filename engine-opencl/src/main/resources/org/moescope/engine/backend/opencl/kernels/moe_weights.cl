// Weight loads for the MoE kernels, prepended to their sources. The weight type is a build option:
// -DWEIGHT_F32 (default), -DWEIGHT_F16 (vload_half: needs no cl_khr_fp16) or -DWEIGHT_BF16 (the bits are the high
// half of an F32). Offsets are in elements; LOAD_W4 needs only element alignment.
#if defined(WEIGHT_F16)
typedef half weight_t;
#define LOAD_W(p, i) vload_half(0, (p) + (i))
#define LOAD_W4(p, i) vload_half4(0, (p) + (i))
#elif defined(WEIGHT_BF16)
typedef ushort weight_t;
#define LOAD_W(p, i) as_float((uint) (p)[i] << 16)
#define LOAD_W4(p, i) as_float4(convert_uint4(vload4(0, (p) + (i))) << 16)
#else
typedef float weight_t;
#define LOAD_W(p, i) ((p)[i])
#define LOAD_W4(p, i) vload4(0, (p) + (i))
#endif
