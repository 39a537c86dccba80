// What one kernel launch costs on an OpenCL device, with no MoEScope in between: a trivial kernel enqueued N times
// back to back and then one clFinish ("queued"), or with a clFinish after each launch ("finish each").
// docs/benchmarks.md quotes it for POCL.
//
//   gcc -O2 docs/bench-data/pocl_launch.c -o /tmp/pocl_launch /usr/lib/x86_64-linux-gnu/libOpenCL.so.1
//   /tmp/pocl_launch 1000 4096          (launches, work-items per launch; the first device of the first platform)
#define CL_TARGET_OPENCL_VERSION 300
#include <CL/cl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec+t.tv_nsec*1e-9;}
int main(int argc,char**argv){
 int n=atoi(argv[1]); size_t gsz=atoi(argv[2]);
 cl_platform_id p; clGetPlatformIDs(1,&p,0); cl_device_id d; clGetDeviceIDs(p,CL_DEVICE_TYPE_ALL,1,&d,0);
 cl_context c=clCreateContext(0,1,&d,0,0,0); cl_command_queue q=clCreateCommandQueueWithProperties(c,d,0,0);
 const char*src="__kernel void k(__global float*a){ size_t i=get_global_id(0); a[i]=a[i]*0.5f+1.0f; }";
 cl_program pr=clCreateProgramWithSource(c,1,&src,0,0); clBuildProgram(pr,1,&d,"",0,0);
 cl_kernel k=clCreateKernel(pr,"k",0); cl_mem m=clCreateBuffer(c,CL_MEM_READ_WRITE,4*gsz,0,0); clSetKernelArg(k,0,sizeof(m),&m);
 for(int r=0;r<3;r++){ double t0=now(); for(int i=0;i<n;i++) clEnqueueNDRangeKernel(q,k,1,0,&gsz,0,0,0,0); clFinish(q); double t=now()-t0;
  printf("%d launches of %zu items: %.1f us per launch (queued)\n",n,gsz,t/n*1e6);}
 for(int r=0;r<2;r++){ double t0=now(); for(int i=0;i<n;i++){ clEnqueueNDRangeKernel(q,k,1,0,&gsz,0,0,0,0); clFinish(q);} double t=now()-t0;
  printf("%d launches + finish each: %.1f us per launch\n",n,t/n*1e6);}
}
