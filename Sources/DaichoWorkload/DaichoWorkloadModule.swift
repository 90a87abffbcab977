/// The DaichoWorkload module. See docs/architecture.md.
public enum DaichoWorkloadModule {}
