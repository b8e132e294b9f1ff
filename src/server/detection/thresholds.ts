/** The numbers the detector judges by. docs/method.md explains each one in plain words. */
export interface DetectionThresholds {
  /** Minutes of reports one verdict looks at (the sliding window, ending with the current minute). */
  windowMinutes: number;
  /** At most this many reporters from one network count toward a verdict. */
  networkCap: number;
  outageMinReporters: number;
  outageMinNetworks: number;
  /** Share of active reporters (failing + ok) that must be failing, when ok samples are plentiful. */
  outageMinShare: number;
  /** When ok samples are scarce: failing reporters must reach this multiple of the usual level. */
  outageBaselineFactor: number;
  degradedMinReporters: number;
  degradedMinNetworks: number;
  degradedMinShare: number;
  degradedBaselineFactor: number;
  /** Below this many distinct ok reporters in the window, the failing share is not trusted. */
  minOkSamples: number;
  /** A cell leaves outage (or degraded) only after this many minutes below that bar. */
  quietMinutes: number;
}

export const DEFAULT_THRESHOLDS: DetectionThresholds = {
  windowMinutes: 5,
  networkCap: 5,
  outageMinReporters: 20,
  outageMinNetworks: 5,
  outageMinShare: 0.5,
  outageBaselineFactor: 4,
  degradedMinReporters: 8,
  degradedMinNetworks: 3,
  degradedMinShare: 0.2,
  degradedBaselineFactor: 2,
  minOkSamples: 10,
  quietMinutes: 5,
};
