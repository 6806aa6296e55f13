"""Writes the small .npy fixtures the Npy tests read. Run with /usr/bin/python3 (Debian's numpy) from this folder."""
import numpy as np

values = np.arange(6, dtype=np.float64).reshape(2, 3) / 4 - 0.5
np.save("f8_c.npy", values)
np.save("f4_fortran.npy", np.asfortranarray(values.astype(np.float32)))
np.save("i4_bigendian.npy", np.array([[1, -2], [300000, -4]], dtype=">i4"))
np.save("u1_3d.npy", np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
np.save("i8_1d.npy", np.array([7, -1, 2**40], dtype=np.int64))
np.save("b1_scalar_shape.npy", np.array([True, False, True]))
np.savez("pair.npz", x=values.astype(np.float32), y=np.array([3, 1], dtype=np.int64))
