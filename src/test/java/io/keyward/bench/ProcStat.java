package io.keyward.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time and thread counts of a process from Linux's /proc. */
final class ProcStat {
  /** Clock ticks per second of /proc/&lt;pid&gt;/stat (USER_HZ): 100 on every Linux the JDK runs on here. */
  static final double TICKS = ticks();

  private ProcStat() {}

  private static double ticks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor();
      return Double.parseDouble(out);
    } catch (IOException | NumberFormatException e) {
      return 100;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 100;
    }
  }

  /** utime + stime of {@code pid} in seconds; NaN when unreadable. */
  static double cpuSeconds(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / TICKS; // fields 14 and 15 of proc(5)
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** A numeric field of /proc/&lt;pid&gt;/status such as {@code Threads:} or {@code VmRSS:} (kB); -1 when unreadable. */
  static long statusField(long pid, String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }
}
