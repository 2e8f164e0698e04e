package demo;

import java.sql.*;

public class Login {
    private static String PASSWORD = "hunter2";

    public boolean check(Connection c, String user) throws SQLException {
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT * FROM users WHERE name = '" + user + "'");
	return rs.next();
    }
}
