using Deepscope.Numerics;

namespace Deepscope.CryoEm;

/// <summary>Rotation matrices (row-major 3x3): uniform random ones and RELION's ZYZ Euler angles.</summary>
public static class Rotations
{
    /// <summary>A rotation uniform on SO(3): a unit quaternion from four standard normals (Shoemake / Marsaglia).</summary>
    public static double[] Uniform(RandomStream random)
    {
        double w, x, y, z, norm;
        do
        {
            (w, x, y, z) = (random.NextNormal(), random.NextNormal(), random.NextNormal(), random.NextNormal());
            norm = Math.Sqrt(w * w + x * x + y * y + z * z);
        } while (norm < 1e-12);
        (w, x, y, z) = (w / norm, x / norm, y / norm, z / norm);
        return
        [
            1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
            2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
            2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
        ];
    }

    /// <summary>RELION's Euler matrix A = R_z(psi) R_y(tilt) R_z(rot) (Heymann et al. 2005), angles in degrees.</summary>
    public static double[] FromEuler(double rot, double tilt, double psi)
    {
        double a = rot * Math.PI / 180, b = tilt * Math.PI / 180, g = psi * Math.PI / 180;
        double ca = Math.Cos(a), sa = Math.Sin(a), cb = Math.Cos(b), sb = Math.Sin(b), cg = Math.Cos(g), sg = Math.Sin(g);
        double cc = cb * ca, cs = cb * sa, sc = sb * ca, ss = sb * sa;
        return
        [
            cg * cc - sg * sa, cg * cs + sg * ca, -cg * sb,
            -sg * cc - cg * sa, -sg * cs + cg * ca, sg * sb,
            sc, ss, cb,
        ];
    }

    /// <summary>The (rot, tilt, psi) in degrees whose <see cref="FromEuler"/> matrix is <paramref name="m"/>.</summary>
    public static (double Rot, double Tilt, double Psi) ToEuler(double[] m)
    {
        double sb = Math.Sqrt(m[6] * m[6] + m[7] * m[7]);
        double rot, tilt, psi;
        if (sb > 1e-9)
        {
            psi = Math.Atan2(m[5], -m[2]);
            rot = Math.Atan2(m[7], m[6]);
            tilt = Math.Atan2(sb, m[8]);
        }
        else
        {
            rot = 0;
            tilt = m[8] > 0 ? 0 : Math.PI;
            psi = m[8] > 0 ? Math.Atan2(-m[3], m[0]) : Math.Atan2(m[3], -m[0]);
        }
        return (rot * 180 / Math.PI, tilt * 180 / Math.PI, psi * 180 / Math.PI);
    }
}
